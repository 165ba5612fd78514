"""Visit programme: officers' capacity and calendar feed tokens

- users.visits_per_month: the visits a month each officer can make (8 until a manager sets it);
- users.calendar_token_hash (unique) and calendar_token_created_at: the officer's private
  iCalendar feed address, kept only as a hash;
- concerns (status, service_id, notice_id): open concerns counted by service for the
  programme's priority from the index alone.

Revision ID: 0023_visit_programme
Revises: 0022_notifications
Create Date: 2026-11-28 03:47:54.621584

"""
from alembic import op
import sqlalchemy as sa
import qa_app.models.types


# revision identifiers, used by Alembic.
revision = '0023_visit_programme'
down_revision = '0022_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visits_per_month', sa.Integer(), server_default='8', nullable=False))
        batch_op.add_column(sa.Column('calendar_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_token_created_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_calendar_token_hash'), ['calendar_token_hash'])

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index('ix_concerns_status_service_id_notice_id', ['status', 'service_id', 'notice_id'], unique=False)


def downgrade():
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_status_service_id_notice_id')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_calendar_token_hash'), type_='unique')
        batch_op.drop_column('calendar_token_created_at')
        batch_op.drop_column('calendar_token_hash')
        batch_op.drop_column('visits_per_month')
