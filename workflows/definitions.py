"""The workflows of DOMAIN.md, as data.

Each definition lists its states, and for every event: the states it leaves,
the state it reaches (optionally chosen by a ``when`` condition on the record),
who may fire it (a role, and the relation that role must have to the record),
the guards that must hold, and who is told about it — and what a person sees of
it: its label, the title of its notification, the inputs its form asks for,
whether a second click confirms it, and the name of its effect (what it does to
the record beyond its state; ``certflow.applications.effects`` registers the effect
of each name). So everything about one event is written here, once.

The engine (``workflows.engine``) turns each definition into one shared
``transitions`` Machine. Bump ``version`` whenever a definition changes: the
transition log records the version every transition ran under.

Labels and titles are English message ids marked with ``N_``: Babel extracts
them and the application translates them when shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.guards import N_, Msg
from workflows.inputs import (
    DEADLINE,
    OVERRIDE_REASON,
    REASON,
    RECOMMENDATION,
    RECOMMENDATION_NOTES,
    TEAM,
    UNITS,
    UNTIL,
    Input,
)


@dataclass(frozen=True)
class Permission:
    """A role, and the relation to the record the actor must have (None: any)."""

    role: str
    relation: str | None = None


@dataclass(frozen=True)
class Route:
    """One source → destination of an event, taken when ``when`` holds.

    ``when`` is ``(attribute, value)``: the route is taken only when the
    record's attribute has that value (used where the destination depends on
    the record, e.g. an upheld appeal returns to where it came from).
    """

    source: str
    dest: str
    when: tuple[str, str] | None = None


@dataclass(frozen=True)
class EventDef:
    """An event: where it may go, who may fire it, what must hold, who hears of it.

    And what people see of it: ``label`` (the button), ``title`` (the notification's
    title; the label if empty), ``inputs`` (what its form asks for, in order),
    ``confirm`` (an irreversible event asking nothing: a second click confirms it);
    ``effect`` names what it does to the record beyond its state (None: nothing).
    """

    name: str
    routes: tuple[Route, ...]
    who: tuple[Permission, ...]
    guards: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()
    label: Msg = Msg("")
    title: Msg = Msg("")
    inputs: tuple[Input, ...] = ()
    confirm: bool = False
    effect: str | None = None

    @property
    def input_names(self) -> tuple[str, ...]:
        """The names of the event's inputs, in order."""
        return tuple(i.name for i in self.inputs)

    @property
    def heading(self) -> Msg:
        """The title of the event's notification (its label unless it has one of its own)."""
        return self.title or self.label

    @property
    def sources(self) -> tuple[str, ...]:
        """The states this event may be fired from (each once, in order)."""
        return tuple(dict.fromkeys(r.source for r in self.routes))

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may fire this event (each once, in order)."""
        return tuple(dict.fromkeys(p.role for p in self.who))


@dataclass(frozen=True)
class Definition:
    """A whole workflow: its states, its initial state, its events and version.

    ``label`` names the workflow; ``labels`` holds each state's label (message ids).
    """

    name: str
    version: int
    initial: str
    states: tuple[str, ...]
    events: tuple[EventDef, ...]
    final: tuple[str, ...] = field(default=())
    label: Msg = Msg("")
    labels: tuple[tuple[str, Msg], ...] = ()

    def state_label(self, state: str) -> Msg | None:
        """The label (message id) of ``state``, or None."""
        return dict(self.labels).get(state)

    def event(self, name: str) -> EventDef | None:
        """The event called ``name``, or None."""
        for ev in self.events:
            if ev.name == name:
                return ev
        return None

    def as_dict(self) -> dict:
        """The definition as JSON-ready data, exactly as the engine runs it."""
        return {
            "name": self.name,
            "version": self.version,
            "label": self.label,
            "initial": self.initial,
            "states": list(self.states),
            "labels": dict(self.labels),
            "final": list(self.final),
            "events": [
                {
                    "name": ev.name,
                    "from": list(ev.sources),
                    "to": sorted({r.dest for r in ev.routes}),
                    "routes": [
                        {
                            "from": r.source,
                            "to": r.dest,
                            **({"when": {r.when[0]: r.when[1]}} if r.when else {}),
                        }
                        for r in ev.routes
                    ],
                    "roles": list(ev.roles),
                    "who": [{"role": p.role, "relation": p.relation} for p in ev.who],
                    "guards": list(ev.guards),
                    "notify": list(ev.notify),
                    "label": ev.label,
                    "title": ev.title,
                    "inputs": [
                        {
                            "name": i.name,
                            "kind": i.kind,
                            "label": i.label,
                            "required": i.required,
                            "choices": list(i.choices),
                            "checked_by": i.checked_by,
                        }
                        for i in ev.inputs
                    ],
                    "confirm": ev.confirm,
                    "effect": ev.effect,
                }
                for ev in self.events
            ],
        }


def _ev(name, routes, who, guards=(), notify=(), *, label="", title="", inputs=(), confirm=False, effect=None):
    return EventDef(
        name=name,
        routes=tuple(Route(*r) for r in routes),
        who=tuple(Permission(*p) for p in who),
        guards=tuple(guards),
        notify=tuple(notify),
        label=label,
        title=title,
        inputs=tuple(inputs),
        confirm=confirm,
        effect=effect,
    )


OWNER = ("candidate", "owner")
DINAS_ADMIN = ("dinas_admin", "dinas_admin")
TEAM_LEAD = ("assessor", "team_lead")
INDEPENDENT_CERTIFIER = ("certifier", "independent")
APPEAL_HANDLER = ("certifier", "appeal_handler")
SYSTEM = ("system", None)

APPLICATION = Definition(
    name="application",
    # 2: the dinas admin (or the system) may release an assigned team
    # 3: start_assessment needs the signed assessment agreement (FR.AK.01, guard agreement_signed)
    # 4: resubmit needs every document marked invalid replaced (guard invalid_documents_replaced)
    version=4,
    label=N_("Application process"),
    initial="draft",
    states=(
        "draft",
        "submitted",
        "revision_requested",
        "eligible",
        "ineligible",
        "team_assigned",
        "in_assessment",
        "assessed",
        "certified",
        "not_yet_competent",
        "under_appeal",
        "withdrawn",
    ),
    labels=(
        ("draft", N_("Draft")),
        ("submitted", N_("Submitted")),
        ("revision_requested", N_("Revision requested")),
        ("eligible", N_("Eligible")),
        ("ineligible", N_("Ineligible")),
        ("team_assigned", N_("Team assigned")),
        ("in_assessment", N_("In assessment")),
        ("assessed", N_("Assessed")),
        ("certified", N_("Certified")),
        ("not_yet_competent", N_("Not yet competent")),
        ("under_appeal", N_("Under appeal")),
        ("withdrawn", N_("Withdrawn")),
    ),
    final=("certified", "withdrawn"),
    events=(
        _ev(
            "submit",
            [("draft", "submitted")],
            [OWNER],
            ["apl01_complete", "documents_uploaded", "self_assessment_complete"],
            ["candidate", "dinas_admins"],
            label=N_("Submit"),
            title=N_("Application submitted"),
        ),
        _ev(
            "request_revision",
            [("submitted", "revision_requested")],
            [DINAS_ADMIN],
            ["reason_given", "deadline_set"],
            ["candidate"],
            label=N_("Request revision"),
            title=N_("Revision requested"),
            inputs=[REASON, DEADLINE],
            effect="record_revision_request",
        ),
        _ev(
            "resubmit",
            [("revision_requested", "submitted")],
            [OWNER],
            ["apl01_complete", "invalid_documents_replaced", "documents_uploaded"],
            ["candidate", "dinas_admins"],
            label=N_("Resubmit"),
            title=N_("Application resubmitted"),
            effect="clear_revision_deadline",
        ),
        _ev(
            "expire_revision",
            [("revision_requested", "withdrawn")],
            [SYSTEM],
            ["deadline_passed"],
            ["candidate", "dinas_admins"],
            label=N_("Expire revision"),
            title=N_("Revision deadline passed; application withdrawn"),
        ),
        _ev(
            "approve",
            [("submitted", "eligible")],
            [DINAS_ADMIN],
            ["documents_valid", "scheme_rules_met"],
            ["candidate"],
            label=N_("Approve"),
            title=N_("Application verified as eligible"),
        ),
        _ev(
            "reject",
            [("submitted", "ineligible")],
            [DINAS_ADMIN],
            ["reason_given"],
            ["candidate"],
            label=N_("Reject"),
            title=N_("Application found ineligible"),
            inputs=[REASON],
            effect="record_decision",
        ),
        _ev(
            "assign_team",
            [("eligible", "team_assigned")],
            [DINAS_ADMIN],
            ["team_chosen", "team_for_scheme", "team_big_enough", "licences_valid", "no_conflict", "within_capacity"],
            ["candidate", "team"],
            label=N_("Assign team"),
            title=N_("Assessor team assigned"),
            inputs=[TEAM, OVERRIDE_REASON],
            effect="assign_team",
        ),
        _ev(
            "release",
            [("team_assigned", "eligible")],
            [DINAS_ADMIN, SYSTEM],
            ["reason_given", "assessment_not_started"],
            ["candidate", "team"],  # the team released: notify finds it before the effect clears it
            label=N_("Release team"),
            title=N_("Assessor team released"),
            inputs=[REASON],
            effect="release_team",
        ),
        _ev(
            "start_assessment",
            [("team_assigned", "in_assessment")],
            [TEAM_LEAD],
            ["conflicts_declared", "agreement_signed"],
            ["candidate", "team"],
            label=N_("Start assessment"),
            title=N_("Assessment started"),
        ),
        _ev(
            "recommend",
            [("in_assessment", "assessed")],
            [TEAM_LEAD],
            ["all_criteria_scored", "recommendation_consistent", "recommendation_notes_fit"],
            ["candidate", "dinas_admins", "certifiers"],
            label=N_("Recommend"),
            title=N_("Assessment completed; recommendation submitted"),
            inputs=[RECOMMENDATION, RECOMMENDATION_NOTES],
            effect="record_recommendation",
        ),
        _ev(
            "return_assessment",
            [("assessed", "in_assessment")],
            [INDEPENDENT_CERTIFIER],
            ["reason_given"],
            ["team"],
            label=N_("Return assessment"),
            title=N_("Assessment returned to the team"),
            inputs=[REASON],
            effect="clear_recommendation",
        ),
        _ev(
            "certify",
            [("assessed", "certified")],
            [INDEPENDENT_CERTIFIER],
            ["recommendation_is_k"],
            ["candidate", "dinas_admins", "team"],
            label=N_("Certify"),
            title=N_("Certified competent; certificate issued"),
            confirm=True,
            effect="certify",
        ),
        _ev(
            "decline",
            [("assessed", "not_yet_competent")],
            [INDEPENDENT_CERTIFIER],
            ["reason_given"],
            ["candidate", "dinas_admins", "team"],
            label=N_("Decline"),
            title=N_("Decided not yet competent"),
            inputs=[REASON],
            effect="record_decision",
        ),
        _ev(
            "request_reassessment",
            [("not_yet_competent", "eligible")],
            [OWNER],
            ["bk_units_only"],
            ["candidate", "dinas_admins"],
            label=N_("Request reassessment"),
            title=N_("Reassessment requested"),
            inputs=[UNITS],
            effect="open_reassessment",
        ),
        _ev(
            "appeal",
            [("ineligible", "under_appeal"), ("not_yet_competent", "under_appeal")],
            [OWNER],
            ["reason_given", "within_appeal_window"],
            ["candidate", "certifiers"],
            label=N_("Appeal"),
            title=N_("Appeal submitted"),
            inputs=[REASON],
            effect="open_appeal",
        ),
        _ev(
            "uphold_appeal",
            [
                ("under_appeal", "submitted", ("appealed_from", "ineligible")),
                ("under_appeal", "eligible", ("appealed_from", "not_yet_competent")),
            ],
            [APPEAL_HANDLER],
            ["reason_given"],
            ["candidate", "dinas_admins"],
            label=N_("Uphold appeal"),
            title=N_("Appeal upheld"),
            inputs=[REASON],
            effect="uphold_appeal",
        ),
        _ev(
            "dismiss_appeal",
            [
                ("under_appeal", "ineligible", ("appealed_from", "ineligible")),
                ("under_appeal", "not_yet_competent", ("appealed_from", "not_yet_competent")),
            ],
            [APPEAL_HANDLER],
            ["reason_given"],
            ["candidate", "dinas_admins"],
            label=N_("Dismiss appeal"),
            title=N_("Appeal dismissed"),
            inputs=[REASON],
            effect="dismiss_appeal",
        ),
        _ev(
            "withdraw",
            [
                ("draft", "withdrawn"),
                ("submitted", "withdrawn"),
                ("revision_requested", "withdrawn"),
                ("eligible", "withdrawn"),
                ("team_assigned", "withdrawn"),
            ],
            [OWNER],
            [],
            ["candidate", "dinas_admins", "team"],
            label=N_("Withdraw"),
            title=N_("Withdrawn"),
            confirm=True,
        ),
    ),
)

APPEAL = Definition(
    name="appeal",
    version=1,
    label=N_("Appeal process"),
    initial="open",
    states=("open", "upheld", "dismissed"),
    labels=(("open", N_("Open")), ("upheld", N_("Upheld")), ("dismissed", N_("Dismissed"))),
    final=("upheld", "dismissed"),
    events=(
        _ev(
            "uphold",
            [("open", "upheld")],
            [APPEAL_HANDLER],
            ["reason_given"],
            label=N_("Uphold"),
            inputs=[REASON],
            effect="resolve_appeal",
        ),
        _ev(
            "dismiss",
            [("open", "dismissed")],
            [APPEAL_HANDLER],
            ["reason_given"],
            label=N_("Dismiss"),
            inputs=[REASON],
            effect="resolve_appeal",
        ),
    ),
)

CERTIFIER = ("certifier", None)

CERTIFICATE = Definition(
    name="certificate",
    # 2: a suspended certificate is superseded by recertification too
    # 3: a certifier corrects the holder's name by re-issuing (correct_name: superseded by the new number)
    version=3,
    label=N_("Certificate lifecycle"),
    initial="active",
    states=("active", "suspended", "withdrawn", "expired", "superseded"),
    labels=(
        ("active", N_("Active")),
        ("suspended", N_("Suspended")),
        ("withdrawn", N_("Withdrawn")),
        ("expired", N_("Expired")),
        ("superseded", N_("Superseded")),
    ),
    final=("withdrawn", "expired", "superseded"),
    events=(
        _ev(
            "suspend",
            [("active", "suspended")],
            [CERTIFIER],
            ["reason_given", "end_date_set"],
            ["candidate", "dinas_admins"],
            label=N_("Suspend"),
            title=N_("Certificate suspended"),
            inputs=[REASON, UNTIL],
            effect="suspend_certificate",
        ),
        _ev(
            "reinstate",
            [("suspended", "active")],
            [CERTIFIER],
            ["reason_given"],
            ["candidate", "dinas_admins"],
            label=N_("Reinstate"),
            title=N_("Certificate reinstated"),
            inputs=[REASON],
            effect="record_status_reason",
        ),
        _ev(
            "withdraw",
            [("active", "withdrawn"), ("suspended", "withdrawn")],
            [CERTIFIER, SYSTEM],
            ["reason_given"],
            ["candidate", "dinas_admins"],
            label=N_("Withdraw"),
            title=N_("Withdrawn"),
            inputs=[REASON],
            effect="record_status_reason",
        ),
        _ev(
            "expire",
            [("active", "expired"), ("suspended", "expired")],
            [SYSTEM],
            ["expiry_passed"],
            ["candidate", "dinas_admins"],
            label=N_("Expire"),
            title=N_("Certificate expired"),
            effect="record_status_reason",
        ),
        _ev(
            "supersede",
            [("active", "superseded"), ("suspended", "superseded")],
            [SYSTEM],
            [],
            ["candidate"],
            label=N_("Supersede"),
            title=N_("Certificate superseded by a new certificate"),
            effect="supersede_certificate",
        ),
        _ev(
            "correct_name",
            [("active", "superseded"), ("suspended", "superseded")],
            [CERTIFIER],
            ["reason_given"],
            ["candidate", "dinas_admins"],
            label=N_("Correct the name (re-issue)"),
            title=N_("Certificate re-issued with a corrected name"),
            inputs=[REASON],
            effect="supersede_certificate",
        ),
    ),
)

DEFINITIONS: dict[str, Definition] = {d.name: d for d in (APPLICATION, APPEAL, CERTIFICATE)}
