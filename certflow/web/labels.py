"""Translated labels of the workflow's names: states, events, roles, documents, education.

The database, the engine and the API speak in snake_case ids (``revision_requested``);
people read these labels. Every page, e-mail and API message that shows a state or an
event to a person takes its words from here, so each id has exactly one translation.
The words of states, events and workflows are kept with their definitions
(``workflows.definitions``); this module translates them. The labels are translated
when shown, in the reader's language.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from certflow.core.labels import (
    DOCUMENT_KIND_LABELS,
    DOCUMENT_STATUS_LABELS,
    EDUCATION_FIELD_LABELS,
    JF_LEVEL_LABELS,
    PURPOSE_LABELS,
    ROUTE_LABELS,
    SEX_LABELS,
)
from certflow.models.schemes import split_requirement_key
from workflows import DEFINITIONS
from workflows.guards import Msg


# States, events and workflows are labelled in their definitions (``workflows.definitions``);
# these are the message ids by name. An event (or state) of the same name in two workflows
# (``withdraw``, ``withdrawn``) has one label: the first definition's, and a test checks they agree.
def _message_ids() -> tuple[dict[str, Msg], dict[str, Msg], dict[str, Msg]]:
    states: dict[str, Msg] = {}
    events: dict[str, Msg] = {}
    workflows = {d.name: d.label for d in DEFINITIONS.values()}
    for definition in DEFINITIONS.values():
        for state, label in definition.labels:
            states.setdefault(state, label)
        for ev in definition.events:
            events.setdefault(ev.name, ev.label)
    return states, events, workflows


STATE_IDS, EVENT_IDS, WORKFLOW_IDS = _message_ids()

ROLE_LABELS = {
    "candidate": _l("Candidate"),
    "assessor": _l("Assessor"),
    "dinas_admin": _l("Dinas admin"),
    "certifier": _l("Certifier"),
    "admin": _l("System admin"),
    "system": _l("System"),
}

RELATION_LABELS = {
    "owner": _l("who applied"),
    "dinas_admin": _l("of the candidate's dinas or province"),
    "team_lead": _l("lead of the assigned team"),
    "team_member": _l("member of the assigned team"),
    "independent": _l("not involved in the assessment"),
    "appeal_handler": _l("not involved in the decision appealed"),
    "schedule_lead": _l("lead of the schedule's team"),
    "plenary": _l("deciding in the plenary"),
}

GUARD_LABELS = {
    "reason_given": _l("a reason is given"),
    "deadline_set": _l("a revision deadline after today is set"),
    "end_date_set": _l("an end date after today is set"),
    "deadline_passed": _l("the revision deadline has passed"),
    "expiry_passed": _l("the expiry date has come"),
    "apl01_complete": _l("the application form (APL-01) is complete"),
    "documents_uploaded": _l("every required document is uploaded"),
    "self_assessment_complete": _l("the self-assessment (APL-02) is complete"),
    "documents_valid": _l("every required document is marked valid"),
    "invalid_documents_replaced": _l("every document marked invalid is replaced by a new upload"),
    "scheme_rules_met": _l("the scheme's education and practice-hour rules are met"),
    "team_chosen": _l("a team is chosen"),
    "team_for_scheme": _l("the team is formed for this scheme"),
    "team_big_enough": _l("the team has enough assessors"),
    "licences_valid": _l("every assessor's licence is valid and covers the scheme"),
    "no_conflict": _l("no assessor has a conflict of interest"),
    "within_capacity": _l("no assessor is over capacity"),
    "conflicts_declared": _l("every assessor declared no conflict of interest"),
    "agreement_signed": _l("the candidate and the lead signed the assessment agreement"),
    "assessment_not_started": _l("no score is recorded since the team was assigned"),
    "all_criteria_scored": _l("every criterion is scored"),
    "recommendation_consistent": _l("K is recommended only if every unit is K"),
    "recommendation_notes_fit": _l("the notes with the recommendation are not too long"),
    "recommendation_is_k": _l("the team recommended K"),
    "within_appeal_window": _l("within 14 days of the decision, once"),
    "bk_units_only": _l("only units judged BK are reassessed"),
    "registration_open": _l("the registration deadline has not passed"),
    "quota_not_full": _l("the schedule is not full"),
    "quota_reached": _l("at least the minimum number of candidates is placed"),
    "team_licensed": _l("every assessor is licensed for the scheme through the event date"),
    "agreements_signed": _l("every placed candidate's assessment agreement is signed"),
    "attendance_recorded": _l("the attendance is recorded"),
    "notes_given": _l("the lead assessor's report is written"),
}


def _label(table: dict, name: str | None) -> str:
    if name is None:
        return ""
    label = table.get(name)
    return str(label) if label is not None else name


def _translated(ids: dict[str, Msg], name: str | None) -> str:
    if name is None:
        return ""
    message_id = ids.get(name)
    return gettext(message_id) if message_id else name


def state_label(state: str | None) -> str:
    """The translated label of a state (the id itself if it has none), from its definition."""
    return _translated(STATE_IDS, state)


def event_label(event: str | None) -> str:
    """The translated label of an event (the id itself if it has none), from its definition."""
    return _translated(EVENT_IDS, event)


def role_label(role: str | None) -> str:
    """The translated label of a role."""
    return _label(ROLE_LABELS, role)


def relation_label(relation: str | None) -> str:
    """The translated description of an actor's required relation to the record."""
    return _label(RELATION_LABELS, relation)


def guard_label(guard: str | None) -> str:
    """The translated description of what a guard requires."""
    return _label(GUARD_LABELS, guard)


def workflow_label(name: str | None) -> str:
    """The translated name of a workflow, from its definition."""
    return _translated(WORKFLOW_IDS, name)


def document_kind_label(kind: str | None) -> str:
    """The translated name of a document kind, or of a requirement key ("Portfolio for unit PSG.01")."""
    if kind is None:
        return ""
    base, unit = split_requirement_key(kind)
    if unit is None:
        return _label(DOCUMENT_KIND_LABELS, kind)
    return gettext("%(kind)s for unit %(unit)s", kind=_label(DOCUMENT_KIND_LABELS, base), unit=unit)


def document_status_label(status: str | None) -> str:
    """The translated label of a document's review status."""
    return _label(DOCUMENT_STATUS_LABELS, status)


def education_field_label(field: str | None) -> str:
    """The translated label of an education field."""
    return _label(EDUCATION_FIELD_LABELS, field)


# The APL-01 fields that ``submit`` asks for, as a sentence names them ("missing: the route of application").
APL01_FIELD_LABELS = {
    "education_field": _l("field of education"),
    "education_level": _l("level of education"),
    "practice_hours": _l("practice hours"),
    "route": _l("route of application"),
    "purpose": _l("purpose of the assessment"),
}


def apl01_fields_label(fields: str | list[str] | tuple[str, ...] | None) -> str:
    """APL-01 field ids (a list, or joined by commas as a guard's ``fields``) as their labels, joined."""
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    return ", ".join(_label(APL01_FIELD_LABELS, f) for f in fields or ())


def route_label(route: str | None) -> str:
    """The translated name of an eligibility route."""
    return _label(ROUTE_LABELS, route)


def purpose_label(purpose: str | None) -> str:
    """The translated name of the purpose of an assessment."""
    return _label(PURPOSE_LABELS, purpose)


def sex_label(sex: str | None) -> str:
    """The translated sex of APL-01."""
    return _label(SEX_LABELS, sex)


def jf_level_label(level: str | None) -> str:
    """The translated functional-position level of APL-01."""
    return _label(JF_LEVEL_LABELS, level)


def team_name(name: str | None) -> str:
    """A team's name without a leading "Tim"/"Team" word, for texts that say "Tim %(team)s" themselves."""
    name = (name or "").strip()
    first, _sep, rest = name.partition(" ")
    return rest.strip() if first.lower() in ("tim", "team") and rest.strip() else name


TEMPLATE_FILTERS = {
    "team_name": team_name,
    "state_label": state_label,
    "event_label": event_label,
    "role_label": role_label,
    "workflow_label": workflow_label,
    "relation_label": relation_label,
    "guard_label": guard_label,
    "document_kind_label": document_kind_label,
    "document_status_label": document_status_label,
    "education_field_label": education_field_label,
    "route_label": route_label,
    "purpose_label": purpose_label,
    "apl01_fields_label": apl01_fields_label,
    "sex_label": sex_label,
    "jf_level_label": jf_level_label,
}
