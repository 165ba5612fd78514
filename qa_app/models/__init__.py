"""The database models. Import them from here: `from qa_app.models import Service`."""

from qa_app.models.assessments import (
    Answer,
    AnswerPhoto,
    Assessment,
    AssessmentComment,
    AssessmentSummary,
    CommentAnswer,
    assessment_officers,
)
from qa_app.models.audit import AuditEvent
from qa_app.models.concerns import ClockEvent, Concern
from qa_app.models.cqc import CqcImport, ServiceCqcRating
from qa_app.models.jobs import BackgroundJob, PeriodicTask
from qa_app.models.meetings import (
    QuadAction,
    QuadActionUpdate,
    QuadMeeting,
    QuadMeetingAddendum,
    QuadMeetingAttendee,
    QuadMeetingItem,
)
from qa_app.models.notices import Notice, NoticeRequirement, NoticeResponseFile
from qa_app.models.outbox import OutboxEmail
from qa_app.models.plans import EvidenceFile, ImprovementPlan, PlanAction, PlanIssue
from qa_app.models.registry import Provider, Service
from qa_app.models.standards import StandardQuestion, StandardSetVersion
from qa_app.models.users import ApiToken, LoginAttempt, User, UserSession

__all__ = [
    "Answer",
    "AnswerPhoto",
    "ApiToken",
    "Assessment",
    "AssessmentComment",
    "AssessmentSummary",
    "AuditEvent",
    "BackgroundJob",
    "ClockEvent",
    "CommentAnswer",
    "Concern",
    "CqcImport",
    "EvidenceFile",
    "ImprovementPlan",
    "LoginAttempt",
    "Notice",
    "NoticeRequirement",
    "NoticeResponseFile",
    "OutboxEmail",
    "PeriodicTask",
    "PlanAction",
    "PlanIssue",
    "Provider",
    "QuadAction",
    "QuadActionUpdate",
    "QuadMeeting",
    "QuadMeetingAddendum",
    "QuadMeetingAttendee",
    "QuadMeetingItem",
    "Service",
    "ServiceCqcRating",
    "StandardQuestion",
    "StandardSetVersion",
    "User",
    "UserSession",
    "assessment_officers",
]
