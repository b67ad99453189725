"""The models, one module per aggregate; importing this registers them all."""

from certflow.models.applications import Appeal, Application, Document, DocumentOpening, SelfAssessmentAnswer
from certflow.models.assessment import (
    Assessor,
    AssessorRelation,
    AssessorScheme,
    ConflictDeclaration,
    Score,
    Team,
    TeamMember,
)
from certflow.models.audit import Notification, OutboxMessage, TransitionLog
from certflow.models.certificates import Certificate
from certflow.models.instruments import Question, UnitPlan, WrittenAnswer, WrittenTest
from certflow.models.people import ApiToken, Dinas, Province, User, UserRole
from certflow.models.plenary import PlenaryDecision, PlenaryLine, PlenaryMember
from certflow.models.records import Agreement, Feedback, UnitRecord
from certflow.models.schedules import Attendance, Schedule, ScheduleLog, Venue, VenueVerification
from certflow.models.schemes import Criterion, Element, Scheme, Unit
from certflow.models.team_changes import TeamChange
from certflow.positions.models import FunctionalPosition, PositionLevel

__all__ = [
    "Agreement",
    "ApiToken",
    "Appeal",
    "Application",
    "Assessor",
    "Attendance",
    "AssessorRelation",
    "AssessorScheme",
    "Certificate",
    "ConflictDeclaration",
    "Criterion",
    "Dinas",
    "Document",
    "DocumentOpening",
    "Element",
    "Feedback",
    "FunctionalPosition",
    "Notification",
    "OutboxMessage",
    "PlenaryDecision",
    "PlenaryLine",
    "PlenaryMember",
    "PositionLevel",
    "Province",
    "Question",
    "Schedule",
    "ScheduleLog",
    "Scheme",
    "Score",
    "SelfAssessmentAnswer",
    "Team",
    "TeamChange",
    "TeamMember",
    "TransitionLog",
    "Unit",
    "UnitPlan",
    "UnitRecord",
    "User",
    "UserRole",
    "WrittenAnswer",
    "WrittenTest",
    "Venue",
    "VenueVerification",
]
