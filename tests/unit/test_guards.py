"""Every guard of workflows.guards, on hand-made facts: holding, and failing each way it can.

The builders here (``holding_context`` and ``FAILURES``) are shared by the engine tests: a
context in which every guard of every workflow holds, and for each guard the ways to make it
— and only it — fail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from workflows import DEFINITIONS
from workflows.guards import APPEAL_WINDOW, GUARDS, GuardContext, eligibility_failures, parse_date

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def member(name: str, **kw) -> SimpleNamespace:
    """A team member whom every assignment guard accepts."""
    values = dict(
        name=name,
        active=True,
        licence_expires=TODAY + 30 * DAY,
        schemes={"PSG", "PNY"},
        load=0,
        max_load=3,
        conflicts=[],
    )
    values.update(kw)
    return SimpleNamespace(**values)


def holding_facts() -> SimpleNamespace:
    """Facts under which every guard holds."""
    return SimpleNamespace(
        # revision and certificate dates
        revision_deadline=TODAY - DAY,
        expires_on=TODAY,
        # the form, the self-assessment, the documents
        apl01_missing=[],
        missing_documents=[],
        unanswered_criteria=0,
        documents_not_valid=[],
        unreplaced_documents=[],
        # eligibility
        education_field="peksos",
        practice_hours=2000,
        accepted_education=["peksos", "kesos"],
        min_practice_hours=1344,
        # the team
        scheme_code="PSG",
        min_team_size=2,
        team=SimpleNamespace(id=1, name="Tim A", scheme_code="PSG", members=[member("Lead"), member("Member")]),
        conflicted_members=[],
        undeclared_members=[],
        scored_since_assignment=0,
        agreement_unsigned=(),
        # the assessment and the decision
        unscored_criteria=0,
        unit_results={"PSG.U1": "K", "PSG.U2": "K"},
        recommendation="K",
        decided_at=NOW - 3 * DAY,
        decision_appealed=False,
        bk_units=["PSG.U1"],
        # the schedule (workflows/schedule.py)
        registration_closes=TODAY,
        members=[member("Lead"), member("Member")],
        event_date=TODAY + 7 * DAY,
        placed=5,
        quota_min=3,
        quota_max=10,
        unsigned_agreements=[],
        attendance_recorded=True,
    )


def holding_context() -> GuardContext:
    """A context under which every guard of every workflow holds."""
    return GuardContext(
        reason="Because the evidence says so.",
        data={
            "deadline": (TODAY + 7 * DAY).isoformat(),
            "until": (TODAY + 30 * DAY).isoformat(),
            "recommendation": "K",
            "units": ["PSG.U1"],
            "team": 1,
            "notes": "Every candidate was assessed as planned.",
        },
        now=NOW,
        day=TODAY,
        facts=holding_facts(),
    )


def _set(attr: str, value) -> Callable[[GuardContext], None]:
    def mutate(ctx: GuardContext) -> None:
        setattr(ctx.facts, attr, value)

    return mutate


def _data(key: str, value) -> Callable[[GuardContext], None]:
    def mutate(ctx: GuardContext) -> None:
        if value is _MISSING:
            ctx.data.pop(key, None)
        else:
            ctx.data[key] = value

    return mutate


def _reason(value) -> Callable[[GuardContext], None]:
    def mutate(ctx: GuardContext) -> None:
        ctx.reason = value

    return mutate


def _second_member(**kw) -> Callable[[GuardContext], None]:
    def mutate(ctx: GuardContext) -> None:
        for key, value in kw.items():
            setattr(ctx.facts.team.members[-1], key, value)

    return mutate


def _team(**kw) -> Callable[[GuardContext], None]:
    def mutate(ctx: GuardContext) -> None:
        for key, value in kw.items():
            setattr(ctx.facts.team, key, value)

    return mutate


_MISSING = object()

FAILURES: dict[str, dict[str, Callable[[GuardContext], None]]] = {
    "reason_given": {"none": _reason(None), "empty": _reason(""), "blank": _reason("  \n ")},
    "deadline_set": {
        "missing": _data("deadline", _MISSING),
        "not a date": _data("deadline", "next week"),
        "today": _data("deadline", TODAY.isoformat()),
        "past": _data("deadline", (TODAY - DAY).isoformat()),
        "wrong type": _data("deadline", 20260320),
    },
    "end_date_set": {
        "missing": _data("until", _MISSING),
        "not a date": _data("until", "2026-02-30"),
        "today": _data("until", TODAY.isoformat()),
        "past": _data("until", "2020-01-01"),
    },
    "deadline_passed": {
        "no deadline": _set("revision_deadline", None),
        "deadline today": _set("revision_deadline", TODAY),
        "deadline ahead": _set("revision_deadline", TODAY + DAY),
    },
    "expiry_passed": {"expires tomorrow": _set("expires_on", TODAY + DAY)},
    "apl01_complete": {
        "fields missing": _set("apl01_missing", ["education_field", "practice_hours"]),
        "no route": _set("apl01_missing", ["route"]),
        "no purpose": _set("apl01_missing", ["purpose"]),
    },
    "documents_uploaded": {"kinds missing": _set("missing_documents", ["diploma"])},
    "self_assessment_complete": {"unanswered": _set("unanswered_criteria", 3)},
    "documents_valid": {"not valid": _set("documents_not_valid", ["work_letter"])},
    "invalid_documents_replaced": {"not replaced": _set("unreplaced_documents", ["diploma"])},
    "scheme_rules_met": {
        "education": _set("education_field", "other"),
        "no education": _set("education_field", None),
        "hours": _set("practice_hours", 1343),
        "no hours": _set("practice_hours", None),
    },
    "team_chosen": {"no team": _set("team", None)},
    "team_for_scheme": {"other scheme": _team(scheme_code="PNY")},
    "team_big_enough": {"too small": _team(members=[member("Alone")])},
    "licences_valid": {
        "inactive": _second_member(active=False),
        "expired": _second_member(licence_expires=TODAY - DAY),
        "no licence date": _second_member(licence_expires=None),
        "other scheme": _second_member(schemes={"PNY"}),
    },
    "no_conflict": {"conflict": _second_member(conflicts=["the assessor works in the candidate's own dinas."])},
    "within_capacity": {"full": _second_member(load=3, max_load=3), "over": _second_member(load=5, max_load=3)},
    "conflicts_declared": {
        "conflicted": _set("conflicted_members", ["Member"]),
        "undeclared": _set("undeclared_members", ["Member"]),
    },
    "agreement_signed": {
        "not written": _set("agreement_unsigned", None),
        "signed by nobody": _set("agreement_unsigned", ("candidate", "lead")),
        "not by the candidate": _set("agreement_unsigned", ("candidate",)),
        "not by the lead": _set("agreement_unsigned", ("lead",)),
    },
    "assessment_not_started": {"scored": _set("scored_since_assignment", 2)},
    "all_criteria_scored": {"unscored": _set("unscored_criteria", 1)},
    "recommendation_consistent": {
        "missing": _data("recommendation", _MISSING),
        "lowercase": _data("recommendation", "k"),
        "other": _data("recommendation", "maybe"),
        "K with a BK unit": _set("unit_results", {"PSG.U1": "K", "PSG.U2": "BK"}),
    },
    "recommendation_notes_fit": {
        "too long": _data("recommendation_notes", "x" * 4001),
        "not a text": _data("recommendation_notes", ["x"]),
    },
    "recommendation_is_k": {"BK": _set("recommendation", "BK"), "none": _set("recommendation", None)},
    "within_appeal_window": {
        "too late": _set("decided_at", NOW - APPEAL_WINDOW - timedelta(seconds=1)),
        "no decision": _set("decided_at", None),
        "already appealed": _set("decision_appealed", True),
    },
    "bk_units_only": {
        "no BK unit": _set("bk_units", []),
        "a K unit": _data("units", ["PSG.U2"]),
        "BK and K units": _data("units", ["PSG.U1", "PSG.U2"]),
        "not a list": _data("units", "PSG.U1"),
    },
    # the schedule's guards (workflows/schedule.py)
    "registration_open": {
        "closed": _set("registration_closes", TODAY - DAY),
        "no deadline": _set("registration_closes", None),
    },
    "quota_not_full": {"full": _set("quota_max", 5), "over": _set("placed", 11)},
    "quota_reached": {"too few": _set("quota_min", 6)},
    "team_licensed": {
        "licence ends before the event": _set("event_date", TODAY + 60 * DAY),
        "inactive": _set("members", [member("Lead"), member("Member", active=False)]),
        "no licence date": _set("members", [member("Lead", licence_expires=None)]),
        "other scheme": _set("members", [member("Lead"), member("Member", schemes={"PNY"})]),
    },
    "agreements_signed": {"unsigned": _set("unsigned_agreements", ["Siti"])},
    "attendance_recorded": {"not recorded": _set("attendance_recorded", False)},
    "notes_given": {
        "missing": _data("notes", _MISSING),
        "blank": _data("notes", "  "),
        "not text": _data("notes", 3),
    },
}


def failing_context(guard: str, how: str) -> GuardContext:
    """The holding context, made to fail ``guard`` the way ``how`` names."""
    ctx = holding_context()
    FAILURES[guard][how](ctx)
    return ctx


TEAM_GUARDS = {"team_for_scheme", "team_big_enough", "licences_valid", "no_conflict", "within_capacity"}
FAILURE_CASES = [(g, how) for g in sorted(FAILURES) for how in FAILURES[g]]


def test_every_guard_used_by_a_definition_exists_and_has_failure_cases():
    used = {g for d in DEFINITIONS.values() for ev in d.events for g in ev.guards}
    assert used <= set(GUARDS)
    assert set(GUARDS) == set(FAILURES), "each guard needs its failure cases here"


@pytest.mark.parametrize("guard", sorted(GUARDS))
def test_guard_holds_on_the_holding_context(guard):
    assert GUARDS[guard](holding_context()) is None


@pytest.mark.parametrize(("guard", "how"), FAILURE_CASES)
def test_guard_fails_naming_itself(guard, how):
    failure = GUARDS[guard](failing_context(guard, how))
    assert failure is not None, f"{guard} held although {how}"
    assert failure.rule == guard
    assert str(failure.message % failure.params if failure.params else failure.message)


@pytest.mark.parametrize(("guard", "how"), FAILURE_CASES)
def test_a_failure_fails_only_its_own_guard(guard, how):
    ctx = failing_context(guard, how)
    # without a team, the guards that read the team are never reached (team_chosen comes first)
    skip = TEAM_GUARDS if guard == "team_chosen" else set()
    assert [g for g in GUARDS if g not in skip | {guard} and GUARDS[g](ctx) is not None] == []


# -- boundaries --------------------------------------------------------------------------


def test_deadline_tomorrow_is_enough():
    ctx = holding_context()
    ctx.data["deadline"] = (TODAY + DAY).isoformat()
    assert GUARDS["deadline_set"](ctx) is None
    ctx.data["deadline"] = TODAY + DAY  # a date object is accepted too
    assert GUARDS["deadline_set"](ctx) is None


def test_deadline_passed_only_the_day_after():
    ctx = holding_context()
    ctx.facts.revision_deadline = TODAY - DAY
    assert GUARDS["deadline_passed"](ctx) is None
    ctx.facts.revision_deadline = TODAY
    assert GUARDS["deadline_passed"](ctx).rule == "deadline_passed"


def test_certificate_expires_on_its_expiry_date_and_after():
    ctx = holding_context()
    for expires in (TODAY, TODAY - DAY, TODAY - 400 * DAY):
        ctx.facts.expires_on = expires
        assert GUARDS["expiry_passed"](ctx) is None
    ctx.facts.expires_on = TODAY + DAY
    assert GUARDS["expiry_passed"](ctx) is not None


def test_appeal_window_is_fourteen_days_inclusive():
    ctx = holding_context()
    ctx.facts.decided_at = NOW - APPEAL_WINDOW
    assert GUARDS["within_appeal_window"](ctx) is None
    ctx.facts.decided_at = NOW - APPEAL_WINDOW - timedelta(seconds=1)
    failure = GUARDS["within_appeal_window"](ctx)
    assert failure.rule == "within_appeal_window" and failure.params == {"days": 14}


def test_licence_expiring_today_is_still_valid():
    ctx = holding_context()
    ctx.facts.team.members[0].licence_expires = TODAY
    assert GUARDS["licences_valid"](ctx) is None


def test_capacity_one_below_the_maximum_is_enough():
    ctx = holding_context()
    ctx.facts.team.members[0].load = 2
    assert GUARDS["within_capacity"](ctx) is None


def test_team_of_exactly_the_minimum_size_is_enough():
    ctx = holding_context()
    ctx.facts.min_team_size = 2
    assert GUARDS["team_big_enough"](ctx) is None
    ctx.facts.min_team_size = 3
    assert GUARDS["team_big_enough"](ctx).params == {"team": "Tim A", "size": 2, "minimum": 3}


def test_practice_hours_at_the_minimum_are_enough():
    ctx = holding_context()
    ctx.facts.practice_hours = 1344
    assert GUARDS["scheme_rules_met"](ctx) is None


def test_no_education_rule_accepts_any_background():
    ctx = holding_context()
    ctx.facts.accepted_education = []
    ctx.facts.education_field = "other"
    assert GUARDS["scheme_rules_met"](ctx) is None


def test_eligibility_failures_lists_every_unmet_rule():
    facts = holding_facts()
    facts.education_field, facts.practice_hours = "other", 10
    failures = eligibility_failures(facts)
    assert [f.rule for f in failures] == ["scheme_rules_met", "scheme_rules_met"]
    assert failures[0].params["field"] == "other" and failures[1].params == {"hours": 10, "minimum": 1344}


def test_conflicted_beats_undeclared():
    ctx = holding_context()
    ctx.facts.conflicted_members = ["A"]
    ctx.facts.undeclared_members = ["B"]
    assert "declared a conflict" in GUARDS["conflicts_declared"](ctx).message


def test_reassessment_defaults_to_every_bk_unit():
    ctx = holding_context()
    ctx.facts.bk_units = ["PSG.U1", "PSG.U2"]
    for units in (None, [], ["PSG.U2"], ["PSG.U1", "PSG.U2"]):
        ctx.data["units"] = units
        assert GUARDS["bk_units_only"](ctx) is None


def test_recommending_bk_is_always_consistent():
    ctx = holding_context()
    ctx.data["recommendation"] = "BK"
    ctx.facts.unit_results = {"PSG.U1": "K", "PSG.U2": "K"}
    assert GUARDS["recommendation_consistent"](ctx) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-10", TODAY),
        (" 2026-03-10 ", TODAY),
        ("2026-03-10T08:00:00", TODAY),
        (TODAY, TODAY),
        (NOW, TODAY),
        ("10/03/2026", None),
        ("", None),
        (None, None),
        (20260310, None),
        ([], None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_today_comes_from_day_else_now():
    assert GuardContext(now=NOW).today == NOW.date()
    assert GuardContext(now=NOW, day=TODAY + DAY).today == TODAY + DAY


@pytest.mark.parametrize(
    ("unsigned", "words"),
    [
        (None, "has not written"),
        (("candidate", "lead"), "The candidate and the lead assessor"),
        (("candidate",), "The candidate has not signed"),
        (("lead",), "The lead assessor has not signed"),
    ],
)
def test_the_agreement_guard_names_who_has_not_signed(unsigned, words):
    ctx = holding_context()
    ctx.facts.agreement_unsigned = unsigned
    failure = GUARDS["agreement_signed"](ctx)
    assert failure.rule == "agreement_signed" and words in failure.message


def test_the_agreement_signed_by_both_holds():
    assert GUARDS["agreement_signed"](holding_context()) is None


# -- apl01_complete: the route and the purpose ---------------------------------------------


@pytest.mark.parametrize(
    ("missing", "fields"),
    [(["route"], "route"), (["purpose"], "purpose"), (["route", "purpose"], "route, purpose")],
)
def test_apl01_complete_names_a_missing_route_or_purpose(missing, fields):
    ctx = holding_context()
    ctx.facts.apl01_missing = missing
    failure = GUARDS["apl01_complete"](ctx)
    assert failure.rule == "apl01_complete" and failure.params == {"fields": fields}
    assert "incomplete" in failure.message


def test_apl01_complete_says_a_chosen_route_is_closed_rather_than_empty():
    """``apl01_missing`` counts a route the scheme no longer opens as missing; the form names one."""
    ctx = holding_context()
    ctx.facts.apl01_missing, ctx.facts.route_name = ["route"], "experience"
    failure = GUARDS["apl01_complete"](ctx)
    assert failure.message == "The scheme is no longer open by the route you chose; choose another."
    assert failure.params == {}
    ctx.facts.apl01_missing = ["route", "purpose"]  # more than the route: the fields are named
    assert GUARDS["apl01_complete"](ctx).params == {"fields": "route, purpose"}
