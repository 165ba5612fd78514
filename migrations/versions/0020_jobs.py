"""Background jobs: the durable queue the worker runs (`flask qa worker`)

One row per unit of work with its claim and lease, attempts, next try, last error and outcome
(qa_app/services/queue.py).

Revision ID: 0020_jobs
Revises: 0019_quad_speed
Create Date: 2026-11-28 03:46:19.122531

"""
from alembic import op
import sqlalchemy as sa
import qa_app.models.types


# revision identifiers, used by Alembic.
revision = '0020_jobs'
down_revision = '0019_quad_speed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=40), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs')),
    sa.UniqueConstraint('key', name=op.f('uq_background_jobs_key'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_background_jobs_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_background_jobs_status_next_attempt_at')

    op.drop_table('background_jobs')
