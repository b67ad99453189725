"""Certification workflows as data, and the engine that runs them.

Plain Python: no Flask and no database imports, so every rule here can be
tested without I/O. The application layer (``certflow.applications``) gathers the
facts a guard needs and the actor's relations to a record, then asks the
engine to fire an event.
"""

from workflows.definitions import APPEAL, APPLICATION, CERTIFICATE, DEFINITIONS
from workflows.engine import (
    Actor,
    Engine,
    Forbidden,
    GuardFailed,
    InvalidTransition,
    WorkflowError,
    engine_for,
)
from workflows.schedule import SCHEDULE

__all__ = [
    "APPEAL",
    "APPLICATION",
    "CERTIFICATE",
    "DEFINITIONS",
    "SCHEDULE",
    "Actor",
    "Engine",
    "Forbidden",
    "GuardFailed",
    "InvalidTransition",
    "WorkflowError",
    "engine_for",
]
