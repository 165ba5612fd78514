"""CQC ratings by service group on each service

Revision ID: 0017_cqc_service_groups
Revises: 0014_answer_photos
Create Date: 2026-11-27 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_cqc_service_groups'
down_revision = '0014_answer_photos'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cqc_service_groups', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('cqc_service_groups')
