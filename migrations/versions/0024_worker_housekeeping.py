"""Worker housekeeping: what each periodic task last did

One row per periodic task of the worker (qa_app/services/worker.py PERIODIC): its last success,
its last failure with a short error, and since when it has been failing, noted by whichever
worker ran it (qa_app/services/periodic_runs.py), for the administrators' Background jobs page
and /healthz.

Revision ID: 0024_worker_housekeeping
Revises: 0023_visit_programme
Create Date: 2026-11-28 09:56:54.310745

"""
from alembic import op
import sqlalchemy as sa
import qa_app.models.types


# revision identifiers, used by Alembic.
revision = '0024_worker_housekeeping'
down_revision = '0023_visit_programme'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_tasks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_success_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', qa_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_tasks'))
    )


def downgrade():
    op.drop_table('periodic_tasks')
