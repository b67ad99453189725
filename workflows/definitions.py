"""The workflows of DOMAIN.md, as data.

Each definition lists its states, and for every event: the states it leaves,
the state it reaches (optionally chosen by a ``when`` condition on the record),
who may fire it (a role, and the relation that role must have to the record),
the guards that must hold, and who is told about it. The engine
(``workflows.engine``) turns each definition into one shared ``transitions``
Machine. Bump ``version`` whenever a definition changes: the transition log
records the version every transition ran under.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    """An event: where it may go, who may fire it, what must hold, who hears of it."""

    name: str
    routes: tuple[Route, ...]
    who: tuple[Permission, ...]
    guards: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()

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
    """A whole workflow: its states, its initial state, its events and version."""

    name: str
    version: int
    initial: str
    states: tuple[str, ...]
    events: tuple[EventDef, ...]
    final: tuple[str, ...] = field(default=())

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
            "initial": self.initial,
            "states": list(self.states),
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
                }
                for ev in self.events
            ],
        }


def _ev(name, routes, who, guards=(), notify=()):
    return EventDef(
        name=name,
        routes=tuple(Route(*r) for r in routes),
        who=tuple(Permission(*p) for p in who),
        guards=tuple(guards),
        notify=tuple(notify),
    )


OWNER = ("candidate", "owner")
DINAS_ADMIN = ("dinas_admin", "dinas_admin")
TEAM_LEAD = ("assessor", "team_lead")
INDEPENDENT_CERTIFIER = ("certifier", "independent")
APPEAL_HANDLER = ("certifier", "appeal_handler")
SYSTEM = ("system", None)

APPLICATION = Definition(
    name="application",
    version=1,
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
    final=("certified", "withdrawn"),
    events=(
        _ev(
            "submit",
            [("draft", "submitted")],
            [OWNER],
            ["apl01_complete", "documents_uploaded", "self_assessment_complete"],
            ["candidate", "dinas_admins"],
        ),
        _ev(
            "request_revision",
            [("submitted", "revision_requested")],
            [DINAS_ADMIN],
            ["reason_given", "deadline_set"],
            ["candidate"],
        ),
        _ev("resubmit", [("revision_requested", "submitted")], [OWNER], [], ["candidate", "dinas_admins"]),
        _ev(
            "expire_revision",
            [("revision_requested", "withdrawn")],
            [SYSTEM],
            ["deadline_passed"],
            ["candidate", "dinas_admins"],
        ),
        _ev(
            "approve",
            [("submitted", "eligible")],
            [DINAS_ADMIN],
            ["documents_valid", "scheme_rules_met"],
            ["candidate"],
        ),
        _ev("reject", [("submitted", "ineligible")], [DINAS_ADMIN], ["reason_given"], ["candidate"]),
        _ev(
            "assign_team",
            [("eligible", "team_assigned")],
            [DINAS_ADMIN],
            ["team_chosen", "team_for_scheme", "team_big_enough", "licences_valid", "no_conflict", "within_capacity"],
            ["candidate", "team"],
        ),
        _ev(
            "start_assessment",
            [("team_assigned", "in_assessment")],
            [TEAM_LEAD],
            ["conflicts_declared"],
            ["candidate", "team"],
        ),
        _ev(
            "recommend",
            [("in_assessment", "assessed")],
            [TEAM_LEAD],
            ["all_criteria_scored", "recommendation_consistent"],
            ["candidate", "dinas_admins", "certifiers"],
        ),
        _ev(
            "return_assessment",
            [("assessed", "in_assessment")],
            [INDEPENDENT_CERTIFIER],
            ["reason_given"],
            ["team"],
        ),
        _ev(
            "certify",
            [("assessed", "certified")],
            [INDEPENDENT_CERTIFIER],
            ["recommendation_is_k"],
            ["candidate", "dinas_admins", "team"],
        ),
        _ev(
            "decline",
            [("assessed", "not_yet_competent")],
            [INDEPENDENT_CERTIFIER],
            ["reason_given"],
            ["candidate", "dinas_admins", "team"],
        ),
        _ev(
            "request_reassessment",
            [("not_yet_competent", "eligible")],
            [OWNER],
            ["bk_units_only"],
            ["candidate", "dinas_admins"],
        ),
        _ev(
            "appeal",
            [("ineligible", "under_appeal"), ("not_yet_competent", "under_appeal")],
            [OWNER],
            ["reason_given", "within_appeal_window"],
            ["candidate", "certifiers"],
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
        ),
    ),
)

APPEAL = Definition(
    name="appeal",
    version=1,
    initial="open",
    states=("open", "upheld", "dismissed"),
    final=("upheld", "dismissed"),
    events=(
        _ev("uphold", [("open", "upheld")], [APPEAL_HANDLER], ["reason_given"]),
        _ev("dismiss", [("open", "dismissed")], [APPEAL_HANDLER], ["reason_given"]),
    ),
)

CERTIFIER = ("certifier", None)

CERTIFICATE = Definition(
    name="certificate",
    version=2,  # 2: a suspended certificate is superseded by recertification too
    initial="active",
    states=("active", "suspended", "withdrawn", "expired", "superseded"),
    final=("withdrawn", "expired", "superseded"),
    events=(
        _ev(
            "suspend",
            [("active", "suspended")],
            [CERTIFIER],
            ["reason_given", "end_date_set"],
            ["candidate", "dinas_admins"],
        ),
        _ev("reinstate", [("suspended", "active")], [CERTIFIER], ["reason_given"], ["candidate", "dinas_admins"]),
        _ev(
            "withdraw",
            [("active", "withdrawn"), ("suspended", "withdrawn")],
            [CERTIFIER, SYSTEM],
            ["reason_given"],
            ["candidate", "dinas_admins"],
        ),
        _ev(
            "expire",
            [("active", "expired"), ("suspended", "expired")],
            [SYSTEM],
            ["expiry_passed"],
            ["candidate", "dinas_admins"],
        ),
        _ev("supersede", [("active", "superseded"), ("suspended", "superseded")], [SYSTEM], [], ["candidate"]),
    ),
)

DEFINITIONS: dict[str, Definition] = {d.name: d for d in (APPLICATION, APPEAL, CERTIFICATE)}
