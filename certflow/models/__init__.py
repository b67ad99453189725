"""The models, one module per aggregate; importing this registers them all."""

from certflow.models.applications import Appeal, Application, Document, SelfAssessmentAnswer
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
from certflow.models.people import ApiToken, Dinas, Province, User, UserRole
from certflow.models.records import Agreement
from certflow.models.schemes import Criterion, Element, Scheme, Unit
from certflow.models.team_changes import TeamChange

__all__ = [
    "Agreement",
    "ApiToken",
    "Appeal",
    "Application",
    "Assessor",
    "AssessorRelation",
    "AssessorScheme",
    "Certificate",
    "ConflictDeclaration",
    "Criterion",
    "Dinas",
    "Document",
    "Element",
    "Notification",
    "OutboxMessage",
    "Province",
    "Scheme",
    "Score",
    "SelfAssessmentAnswer",
    "Team",
    "TeamChange",
    "TeamMember",
    "TransitionLog",
    "Unit",
    "User",
    "UserRole",
]
