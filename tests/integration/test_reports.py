"""The summary report: every figure against counts computed here, independently, from the data the test made."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from certflow import clock
from certflow.certificates.operations import issue_certificate
from certflow.models import Application, Assessor, TransitionLog, User
from certflow.reports.figures import scope_dinas_ids, summary
from tests.factories import make_assessor, make_user, state_columns
from workflows import APPLICATION

NOW = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # 11:00 in Jakarta


def _app(world, db, dinas, state, scheme=None, created=None) -> Application:
    candidate = make_user("candidate", dinas, education_field="kesos")
    app = Application(
        candidate=candidate, scheme=scheme or world.scheme, dinas=dinas, state=state, **state_columns(state, world.team)
    )
    if created is not None:
        app.created_at = created
    db.session.add(app)
    db.session.flush()
    return app


def _log(db, app, to_state, at, workflow="application", from_state="x"):
    db.session.add(
        TransitionLog(
            workflow=workflow,
            workflow_version=1,
            subject_id=app.id,
            application_id=app.id,
            event="e",
            from_state=from_state,
            to_state=to_state,
            at=at,
        )
    )


@pytest.fixture()
def scenario(world, db):
    """The data of ``build_scenario``."""
    return build_scenario(world, db)


def build_scenario(world, db) -> dict:
    """Applications, certificates and assessors across four dinas of two provinces.

    Returns what was made, as plain Python lists, for the tests to count from.
    """
    # Two applications through the real workflow (Kota Batam): one certified, one in assessment.
    real_certified = world.new_application()
    world.advance(real_certified, "certified")
    real_open = world.new_application()
    world.advance(real_open, "team_assigned")

    made = [(world.batam, real_certified), (world.batam, real_open)]
    layout = {
        world.batam: ["draft", "submitted", "eligible", "eligible", "certified", "withdrawn"],
        world.bintan: ["submitted", "revision_requested", "in_assessment", "certified", "not_yet_competent"],
        world.dinas_kepri: ["under_appeal"],
        world.pekanbaru: ["eligible", "certified", "certified", "assessed", "ineligible"],
    }
    for dinas, states in layout.items():
        for i, state in enumerate(states):
            scheme = world.other_scheme if i % 3 == 2 else world.scheme
            app = _app(world, db, dinas, state, scheme=scheme)
            if state == "certified":
                issue_certificate(app)
            made.append((dinas, app))

    # Certificates expiring at chosen distances from today (each of its own certified application).
    today = clock.today()
    expiring = []
    for dinas, days, status in [
        (world.batam, 0, "active"),
        (world.batam, 10, "active"),
        (world.bintan, 90, "active"),
        (world.bintan, 91, "active"),
        (world.batam, -1, "active"),
        (world.batam, 5, "suspended"),
        (world.pekanbaru, 30, "active"),
        (world.pekanbaru, 60, "withdrawn"),
    ]:
        app = _app(world, db, dinas, "certified")
        cert = issue_certificate(app)
        cert.expires_on = today + timedelta(days=days)
        cert.status = status
        made.append((dinas, app))
        expiring.append((dinas, cert))

    # More assessors: expired licence, inactive, inactive account, another province, a heavy load.
    make_assessor(world.batam, [world.scheme], expires=today - timedelta(days=1), name="Expired Licence")
    inactive = make_assessor(world.bintan, [world.scheme], name="Inactive Assessor")
    inactive.active = False
    gone = make_assessor(world.bintan, [world.other_scheme], name="Account Closed")
    gone.user.active = False
    make_assessor(world.pekanbaru, [world.other_scheme], max_load=4, name="Riau Assessor")
    make_assessor(world.bintan, [world.scheme], expires=today, max_load=2, name="Expires Today")

    # People without a known education, with other education, and admins (never counted).
    make_user("candidate", world.batam, education_field="other")
    make_user("candidate", world.pekanbaru)
    make_user(["candidate", "assessor"], world.bintan, education_field="peksos")
    make_user("dinas_admin", world.batam, education_field="other")
    make_user("candidate", None, education_field="other")
    closed = make_user("candidate", world.batam, education_field="peksos")
    closed.active = False
    db.session.commit()
    return {"apps": made, "expiring": expiring}


def _ids(*dinas) -> list[int]:
    return sorted(d.id for d in dinas)


def expected_by_state(scenario, dinas_ids) -> dict[str, int]:
    counts = Counter(app.state for dinas, app in scenario["apps"] if dinas_ids is None or dinas.id in dinas_ids)
    return {state: counts.get(state, 0) for state in APPLICATION.states}


def expected_certified(scenario, dinas_ids) -> dict[str, int]:
    counts = Counter(
        app.scheme.code
        for dinas, app in scenario["apps"]
        if app.state == "certified" and (dinas_ids is None or dinas.id in dinas_ids)
    )
    return {"PNY": counts.get("PNY", 0), "PSG": counts.get("PSG", 0)}


def expected_education(db, dinas_ids) -> dict[str, int]:
    counted = [
        u
        for u in db.session.scalars(select(User)).all()
        if u.active
        and u.roles & {"candidate", "assessor"}
        and u.dinas_id is not None
        and (dinas_ids is None or u.dinas_id in dinas_ids)
    ]
    peksos = sum(1 for u in counted if u.education_field in ("peksos", "kesos"))
    return {"peksos_kesos": peksos, "other": len(counted) - peksos}


def expected_capacity(db, scenario, world, dinas_ids) -> list[dict]:
    today = clock.today()
    in_scope = [
        a
        for a in db.session.scalars(select(Assessor)).all()
        if a.active and a.user.active and a.licence_expires >= today and (dinas_ids is None or a.dinas_id in dinas_ids)
    ]
    open_apps = [app for _, app in scenario["apps"] if app.state in ("team_assigned", "in_assessment")]
    rows = []
    for scheme in sorted([world.scheme, world.other_scheme], key=lambda s: s.code):
        covering = [a for a in in_scope if scheme.id in a.scheme_ids]
        free = 0
        for a in covering:
            load = sum(1 for app in open_apps if app.team is not None and a.id in app.team.member_ids)
            free += max(0, a.max_load - load)
        demand = sum(
            1
            for dinas, app in scenario["apps"]
            if app.scheme_id == scheme.id
            and app.state in ("eligible", "team_assigned", "in_assessment")
            and (dinas_ids is None or dinas.id in dinas_ids)
        )
        rows.append({"scheme": scheme.code, "assessors": len(covering), "capacity": free, "open_demand": demand})
    return rows


def expected_expiring(scenario, dinas_ids) -> int:
    today = clock.today()
    return sum(
        1
        for dinas, cert in scenario["expiring"]
        if cert.status == "active"
        and today <= cert.expires_on <= today + timedelta(days=90)
        and (dinas_ids is None or dinas.id in dinas_ids)
    )


@pytest.mark.parametrize("scope_name", ["all", "kepri", "batam", "bintan", "riau", "none"])
def test_every_figure_matches_an_independent_count(world, db, scenario, scope_name):
    dinas_ids = {
        "all": None,
        "kepri": _ids(world.dinas_kepri, world.batam, world.bintan),
        "batam": _ids(world.batam),
        "bintan": _ids(world.bintan),
        "riau": _ids(world.dinas_riau, world.pekanbaru),
        "none": [],
    }[scope_name]
    report = summary(dinas_ids)
    assert report["by_state"] == expected_by_state(scenario, dinas_ids)
    assert report["certified_by_scheme"] == expected_certified(scenario, dinas_ids)
    assert report["education"] == expected_education(db, dinas_ids)
    assert report["assessor_capacity"] == expected_capacity(db, scenario, world, dinas_ids)
    assert report["expiring_90_days"] == expected_expiring(scenario, dinas_ids)


def test_figures_by_hand_for_kota_batam(world, db, scenario):
    report = summary(_ids(world.batam))
    # 2 real + 6 laid out + 4 certified for the expiry figures
    assert sum(report["by_state"].values()) == 12
    assert report["by_state"]["certified"] == 1 + 1 + 4
    assert report["by_state"]["eligible"] == 2 and report["by_state"]["team_assigned"] == 1
    assert report["certified_by_scheme"] == {"PNY": 0, "PSG": 6}
    # expiring: today (0) and 10 days; not the one past, not the suspended one
    assert report["expiring_90_days"] == 2
    # Batam's assessor pool: the Batam Assessor (PSG, max 3, no load); the expired licence does not count
    assert report["assessor_capacity"] == [
        {"scheme": "PNY", "assessors": 0, "capacity": 0, "open_demand": 1},
        {"scheme": "PSG", "assessors": 1, "capacity": 3, "open_demand": 2},
    ]


def test_scope_narrowing(world, db):
    from certflow.people.policy import dinas_scope

    assert scope_dinas_ids() is None
    assert scope_dinas_ids(base=dinas_scope(world.admin_kepri)) == _ids(world.dinas_kepri, world.batam, world.bintan)
    assert scope_dinas_ids(base=dinas_scope(world.admin_kepri), dinas_id=world.bintan.id) == _ids(world.bintan)
    assert scope_dinas_ids(base=dinas_scope(world.admin_batam), province_id=world.kepri.id) == _ids(world.batam)
    assert scope_dinas_ids(province_id=world.riau.id) == _ids(world.dinas_riau, world.pekanbaru)
    assert scope_dinas_ids(dinas_id=world.pekanbaru.id, province_id=world.kepri.id) == []


# -- the median time in each state --------------------------------------------------------------
@pytest.fixture()
def timeline(world, db, monkeypatch):
    """Applications with a known history; the clock stands still at NOW."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    d = timedelta(days=1)
    a = _app(world, db, world.batam, "eligible", created=NOW - 10 * d)
    _log(db, a, "submitted", NOW - 8 * d)
    _log(db, a, "eligible", NOW - 5 * d)
    # a certificate's and an appeal's transitions are not the application's
    _log(db, a, "suspended", NOW - 4 * d, workflow="certificate")
    _log(db, a, "open", NOW - 3 * d, workflow="appeal")
    b = _app(world, db, world.batam, "in_assessment", created=NOW - 20 * d)
    for state, days in [
        ("submitted", 19),
        ("revision_requested", 17),
        ("submitted", 12),
        ("eligible", 11),
        ("team_assigned", 10),
        ("in_assessment", 6),
    ]:
        _log(db, b, state, NOW - days * d)
    _app(world, db, world.bintan, "draft", created=NOW - 4 * d - timedelta(hours=3))
    r = _app(world, db, world.pekanbaru, "submitted", created=NOW - 30 * d)
    _log(db, r, "submitted", NOW - 29 * d)
    db.session.commit()


def _none_but(**values) -> dict:
    return {state: values.get(state) for state in APPLICATION.states}


def test_median_days_in_state(world, db, timeline):
    # draft: a 2, b 1, c 4.125, r 1 → 1.5; submitted: a 3, b 2+1, r 29 → 3; eligible: a 5, b 1 → 3
    assert summary(None)["median_days_in_state"] == _none_but(
        draft=1.5, submitted=3.0, eligible=3.0, revision_requested=5.0, team_assigned=4.0, in_assessment=6.0
    )
    kepri = _ids(world.dinas_kepri, world.batam, world.bintan)
    assert summary(kepri)["median_days_in_state"] == _none_but(
        draft=2.0, submitted=3.0, eligible=3.0, revision_requested=5.0, team_assigned=4.0, in_assessment=6.0
    )
    assert summary(_ids(world.bintan))["median_days_in_state"] == _none_but(draft=4.1)
    assert summary(_ids(world.pekanbaru))["median_days_in_state"] == _none_but(draft=1.0, submitted=29.0)
    assert summary([])["median_days_in_state"] == _none_but()


def test_median_through_the_real_workflow(world, db, monkeypatch):
    """Times measured from the log the services write, the clock moved between events."""
    moments = iter([NOW, NOW + timedelta(hours=36), NOW + timedelta(days=4)])
    current = {"t": NOW}
    monkeypatch.setattr(clock, "now", lambda: current["t"])
    app = world.new_application()
    app.created_at = NOW - timedelta(days=2)
    db.session.commit()
    current["t"] = next(moments)
    world.fire(app, "submit", world.candidate)
    current["t"] = next(moments)
    world.mark_documents(app, "valid")
    world.fire(app, "approve", world.admin_batam)
    current["t"] = next(moments)
    medians = summary(_ids(world.batam))["median_days_in_state"]
    assert (medians["draft"], medians["submitted"], medians["eligible"]) == (2.0, 1.5, 2.5)


# -- a constant number of queries ----------------------------------------------------------------
def _queries(db, fn) -> int:
    seen = []

    def listener(*args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_summary_takes_a_constant_number_of_queries(world, db):
    scope = _ids(world.batam, world.bintan)
    app = world.new_application()
    world.advance(app, "certified")
    few = _queries(db, lambda: summary(scope))
    for state in ("draft", "submitted", "eligible", "in_assessment", "certified") * 4:
        extra = _app(world, db, world.bintan, state)
        _log(db, extra, state, clock.now())
        if state == "certified":
            issue_certificate(extra)
    for _ in range(5):
        make_assessor(world.bintan, [world.scheme, world.other_scheme])
    db.session.commit()
    assert _queries(db, lambda: summary(scope)) == few
    assert _queries(db, lambda: summary(None)) == few
