"""The schedule workflow (*jadwal uji kompetensi*), as data, and its guards.

A schedule is an assessment event: a scheme, a venue, a date, a quota and one assessor team.
``planned`` → ``open`` (candidates may be placed) → ``ready`` (team confirmed, every agreement
signed) → ``held`` (attendance recorded) → ``reported`` (the lead's FR.AK.05 report) →
``decided`` (the plenary decision); ``cancelled`` from ``planned``, ``open`` or ``ready``, with
a reason. The same engine as the application's runs it (``engine_for("schedule")``).

Placing a candidate is the application's ``assign_team`` with the schedule's team; before it,
the schedule's own placement rules (``PLACEMENT_GUARDS``: the registration deadline, the
maximum quota) are checked on the schedule's facts.

Guards read these facts (filled by ``certflow.schedules``): ``registration_closes`` (date),
``event_date`` (date), ``placed`` (how many candidates are placed), ``quota_min``,
``quota_max``, ``scheme_code``, ``members`` (the team's members, with ``name``, ``active``,
``licence_expires``, ``schemes``), ``unsigned_agreements`` (the names of the placed candidates
whose FR.AK.01 is not signed by both), ``attendance_recorded`` (bool).
"""

from __future__ import annotations

from workflows.definitions import DEFINITIONS, DINAS_ADMIN, SYSTEM, Definition, _ev
from workflows.guards import GUARDS, N_, Failure, GuardContext
from workflows.inputs import NOTES, REASON

SCHEDULE_LEAD = ("assessor", "schedule_lead")
"""The lead assessor of the schedule's team."""
PLENARY = ("certifier", "plenary")
"""A certifier deciding the schedule in the plenary (the plenary code grants the relation)."""


def registration_open(ctx: GuardContext) -> Failure | None:
    """The registration deadline has not passed (no placement after it)."""
    closes = ctx.facts.registration_closes
    if closes is None or closes < ctx.today:
        return Failure(
            "registration_open",
            N_("Registration for this schedule closed on %(date)s."),
            {"date": closes.isoformat() if closes else "-"},
        )
    return None


def quota_not_full(ctx: GuardContext) -> Failure | None:
    """Fewer than the maximum quota of candidates are placed."""
    if ctx.facts.placed >= ctx.facts.quota_max:
        return Failure(
            "quota_not_full",
            N_("The schedule is full: %(placed)s of at most %(quota_max)s candidates are placed."),
            {"placed": ctx.facts.placed, "quota_max": ctx.facts.quota_max},
        )
    return None


def quota_reached(ctx: GuardContext) -> Failure | None:
    """At least the minimum quota of candidates are placed."""
    if ctx.facts.placed < ctx.facts.quota_min:
        return Failure(
            "quota_reached",
            N_("%(placed)s candidates are placed; the schedule needs at least %(quota_min)s."),
            {"placed": ctx.facts.placed, "quota_min": ctx.facts.quota_min},
        )
    return None


def team_licensed(ctx: GuardContext) -> Failure | None:
    """Every member of the team is active and licensed for the scheme through the event date."""
    event_date = ctx.facts.event_date
    for m in ctx.facts.members:
        if not m.active:
            return Failure("team_licensed", N_("Assessor %(assessor)s is not active."), {"assessor": m.name})
        if m.licence_expires is None or m.licence_expires < event_date:
            return Failure(
                "team_licensed",
                N_("The licence of assessor %(assessor)s expires before the event on %(date)s."),
                {"assessor": m.name, "date": event_date.isoformat()},
            )
        if ctx.facts.scheme_code not in m.schemes:
            return Failure(
                "team_licensed",
                N_("The licence of assessor %(assessor)s does not cover scheme %(scheme)s."),
                {"assessor": m.name, "scheme": ctx.facts.scheme_code},
            )
    return None


def agreements_signed(ctx: GuardContext) -> Failure | None:
    """Every placed candidate's assessment agreement (FR.AK.01) is signed by the candidate and the lead."""
    names = ctx.facts.unsigned_agreements
    if names:
        return Failure(
            "agreements_signed",
            N_("The assessment agreement (FR.AK.01) is not signed yet for: %(names)s."),
            {"names": ", ".join(names)},
        )
    return None


def attendance_recorded(ctx: GuardContext) -> Failure | None:
    """The lead assessor has recorded who attended."""
    if not ctx.facts.attendance_recorded:
        return Failure("attendance_recorded", N_("The attendance has not been recorded yet."))
    return None


def notes_given(ctx: GuardContext) -> Failure | None:
    """``data.notes`` holds the lead's report (FR.AK.05)."""
    notes = (ctx.data or {}).get("notes")
    if not isinstance(notes, str) or not notes.strip():
        return Failure("notes_given", N_("The lead assessor's report (FR.AK.05) is required."))
    return None


SCHEDULE_GUARDS = {
    fn.__name__: fn
    for fn in (
        registration_open,
        quota_not_full,
        quota_reached,
        team_licensed,
        agreements_signed,
        attendance_recorded,
        notes_given,
    )
}
"""The guards of the schedule workflow and of placement, by name."""

PLACEMENT_GUARDS = ("registration_open", "quota_not_full")
"""What the schedule asks of one more placement, checked before the application's ``assign_team``."""


def placement_failure(ctx: GuardContext) -> Failure | None:
    """The first placement rule of the schedule that does not hold, or None."""
    for name in PLACEMENT_GUARDS:
        failure = SCHEDULE_GUARDS[name](ctx)
        if failure is not None:
            return failure
    return None


SCHEDULE = Definition(
    name="schedule",
    version=1,
    label=N_("Assessment schedule"),
    initial="planned",
    states=("planned", "open", "ready", "held", "reported", "decided", "cancelled"),
    labels=(
        ("planned", N_("Planned")),
        ("open", N_("Open")),
        ("ready", N_("Ready")),
        ("held", N_("Held")),
        ("reported", N_("Reported")),
        ("decided", N_("Decided")),
        ("cancelled", N_("Cancelled")),
    ),
    final=("decided", "cancelled"),
    events=(
        _ev(
            "open",
            [("planned", "open")],
            [DINAS_ADMIN],
            ["registration_open", "team_licensed"],
            ["team"],
            label=N_("Open for placement"),
            title=N_("Schedule opened for placement"),
            confirm=True,
        ),
        _ev(
            "confirm",
            [("open", "ready")],
            [DINAS_ADMIN],
            ["quota_reached", "team_licensed", "agreements_signed"],
            ["candidates", "team"],
            label=N_("Confirm the schedule"),
            title=N_("Schedule confirmed"),
            confirm=True,
        ),
        _ev(
            "hold",
            [("ready", "held")],
            [SCHEDULE_LEAD, DINAS_ADMIN],
            ["attendance_recorded"],
            ["dinas_admins"],
            label=N_("Mark as held"),
            title=N_("Assessment event held"),
            confirm=True,
        ),
        _ev(
            "report",
            [("held", "reported")],
            [SCHEDULE_LEAD],
            ["attendance_recorded", "notes_given"],
            ["dinas_admins", "certifiers"],
            label=N_("Submit the lead's report"),
            title=N_("Lead assessor's report submitted"),
            inputs=[NOTES],
        ),
        _ev(
            "cancel",
            [("planned", "cancelled"), ("open", "cancelled"), ("ready", "cancelled")],
            [DINAS_ADMIN],
            ["reason_given"],
            ["candidates", "team"],  # the candidates it releases, told once (not once per release)
            label=N_("Cancel the schedule"),
            title=N_("Schedule cancelled"),
            inputs=[REASON],
        ),
        _ev(
            "decide",
            [("reported", "decided")],
            [PLENARY, SYSTEM],
            [],
            ["team", "dinas_admins"],
            label=N_("Record the plenary decision"),
            title=N_("Plenary decision taken"),
        ),
    ),
)

PERSON_EVENTS = ("open", "confirm", "hold", "report", "cancel")
"""The events a person fires through the schedule's own events (``decide`` is the plenary's)."""

# The third workflow joins the others: one catalogue of definitions, one of guards, both read
# by the engine (``engine_for``) and by everything that lists the workflows.
DEFINITIONS[SCHEDULE.name] = SCHEDULE
GUARDS.update(SCHEDULE_GUARDS)
