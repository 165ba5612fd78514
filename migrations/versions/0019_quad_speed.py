"""Indexes for the QuAD report and the managers' dashboard

- audit_events (entity_type, occurred_at): one kind of record's changes since an instant (what a
  service's RAG or CQC rating was at a month's start or end) without reading years of history;
- assessments (status, service_id, published_at): each service's latest publication from the
  index alone (follow-ups overdue, the report's assessment history);
- assessments (service_id, created_at, status): whether a newer assessment is under way after
  a service's latest publication, from the index alone;
- assessments (service_id, id, status, published_at, created_at, overall_rating): each
  service's assessment history in order, from the index alone (the report's standings);
- concerns (service_id, received_at, closed_at, escalated_at, responded_at, notice_id,
  risk_level): each service's concerns open at a month's end, from the index alone;
- concerns (received_at, risk_level, source) in place of (received_at), and clock_events
  (at, kind, concern_id) in place of (at): the report's counts and 12-month trends of concerns
  received and clocks met or breached, from the index alone;
- concerns (status, response_due_at, responded_at, notice_id) in place of (status,
  response_due_at), of which it is a widening: breached clocks counted from the index alone.

Revision ID: 0019_quad_speed
Revises: 0018_service_closed
Create Date: 2026-11-28 00:37:52.912835

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_quad_speed'
down_revision = '0018_service_closed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_status_service_id_published_at', ['status', 'service_id', 'published_at'], unique=False)
        batch_op.create_index('ix_assessments_service_id_created_at_status', ['service_id', 'created_at', 'status'], unique=False)
        batch_op.create_index('ix_assessments_service_history', ['service_id', 'id', 'status', 'published_at', 'created_at', 'overall_rating'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity_type_occurred_at', ['entity_type', 'occurred_at'], unique=False)

    with op.batch_alter_table('clock_events', schema=None) as batch_op:
        batch_op.drop_index('ix_clock_events_at')
        batch_op.create_index('ix_clock_events_at_kind_concern_id', ['at', 'kind', 'concern_id'], unique=False)

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_received_at')
        batch_op.create_index('ix_concerns_received_at_risk_level_source', ['received_at', 'risk_level', 'source'], unique=False)
        batch_op.drop_index('ix_concerns_status_response_due_at')
        batch_op.create_index('ix_concerns_status_due_responded_notice', ['status', 'response_due_at', 'responded_at', 'notice_id'], unique=False)
        batch_op.create_index('ix_concerns_service_id_open_at', ['service_id', 'received_at', 'closed_at', 'escalated_at', 'responded_at', 'notice_id', 'risk_level'], unique=False)


def downgrade():
    with op.batch_alter_table('clock_events', schema=None) as batch_op:
        batch_op.drop_index('ix_clock_events_at_kind_concern_id')
        batch_op.create_index('ix_clock_events_at', ['at'], unique=False)

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_received_at_risk_level_source')
        batch_op.create_index('ix_concerns_received_at', ['received_at'], unique=False)
        batch_op.drop_index('ix_concerns_service_id_open_at')
        batch_op.drop_index('ix_concerns_status_due_responded_notice')
        batch_op.create_index('ix_concerns_status_response_due_at', ['status', 'response_due_at'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity_type_occurred_at')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_service_history')
        batch_op.drop_index('ix_assessments_service_id_created_at_status')
        batch_op.drop_index('ix_assessments_status_service_id_published_at')
