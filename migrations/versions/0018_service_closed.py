"""Services can be closed: the first day a service no longer runs, and why

Revision ID: 0018_service_closed
Revises: 0017_cqc_service_groups
Create Date: 2026-11-28 00:16:31

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_service_closed'
down_revision = '0017_cqc_service_groups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_reason', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_services_closed_on'), ['closed_on'], unique=False)


def downgrade():
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_services_closed_on'))
        batch_op.drop_column('closed_reason')
        batch_op.drop_column('closed_on')
