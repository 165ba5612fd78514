"""In-app notifications (an outbox row read in the app) and the daily digest choice

Revision ID: 0022_notifications
Revises: 0021_outbox
Create Date: 2026-11-28 04:20:00

"""
from alembic import op
import sqlalchemy as sa
import qa_app.models.types


# revision identifiers, used by Alembic.
revision = '0022_notifications'
down_revision = '0021_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', qa_app.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_emails_user_unread', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_frequency', sa.String(length=10), server_default='immediate', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_frequency')

    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_emails_user_unread')
        batch_op.drop_column('read_at')
