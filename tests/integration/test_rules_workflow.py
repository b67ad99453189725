"""Every event of the application workflow on a real database, through the services.

The helpers here bring an application to any state along the real workflow and fire any
event rightfully; the other rules tests import them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from certflow import clock
from certflow.applications.workflow import fire_application_event
from certflow.models import Appeal, Application, TransitionLog, User
from tests.factories import World
from workflows import APPLICATION, Forbidden

MAIN_PATH = ("draft", "submitted", "eligible", "team_assigned", "in_assessment", "assessed", "certified")


@pytest.fixture()
def travel(monkeypatch):
    """Stop certflow's clock (the only one) at the real time; ``travel(days=15)`` moves it forward."""
    start = clock.now()
    offset = [timedelta()]
    monkeypatch.setattr(clock, "now", lambda: start + offset[0])

    def move(**kw) -> None:
        offset[0] += timedelta(**kw)

    return move


def refused(db, error, app_or_call, *args, rule: str | None = None, **kw):
    """Fire (or call) and expect ``error``; roll back as a request would; return the error."""
    call = app_or_call if callable(app_or_call) else None
    with pytest.raises(error) as err:
        if call is not None:
            call(*args, **kw)
        else:
            fire_application_event(app_or_call, *args, **kw)
    db.session.rollback()
    if rule is not None:
        assert err.value.rule == rule, err.value
    return err.value


def deadline(days: int = 7) -> str:
    """A revision deadline ``days`` from today."""
    return (clock.today() + timedelta(days=days)).isoformat()


def bring(w: World, app: Application, state: str, *, recommendation: str = "K", appealed_from: str = "ineligible"):
    """Drive ``app`` (a fresh draft) along the real workflow until it is in ``state``."""
    if state in MAIN_PATH:
        return w.advance(app, state, recommendation)
    if state == "revision_requested":
        w.advance(app, "submitted")
        w.fire(
            app, "request_revision", w.admin_batam, reason="Please rescan the diploma.", data={"deadline": deadline()}
        )
    elif state == "ineligible":
        w.advance(app, "submitted")
        w.fire(app, "reject", w.admin_batam, reason="Not a social worker.")
    elif state == "not_yet_competent":
        w.advance(app, "assessed", recommendation="BK")
        w.fire(app, "decline", w.certifier, reason="Unit 1 is not yet competent.")
    elif state == "under_appeal":
        bring(w, app, appealed_from)
        w.fire(app, "appeal", w.candidate, reason="The decision overlooked my evidence.")
    elif state == "withdrawn":
        w.fire(app, "withdraw", w.candidate)
    assert app.state == state
    return app


def rightful(w: World, app: Application, event: str, travel=None) -> tuple[User | None, dict]:
    """Make ``event`` possible on ``app`` (in a source state) and return who fires it, and how."""
    reason = {"reason": f"Reason for {event}."}
    if event in ("submit", "resubmit", "withdraw", "request_reassessment"):
        return w.candidate, {}
    if event == "appeal":
        return w.candidate, reason
    if event == "request_revision":
        return w.admin_batam, {**reason, "data": {"deadline": deadline()}}
    if event == "expire_revision":
        travel(days=8)
        return None, {}
    if event == "approve":
        w.mark_documents(app, "valid")
        return w.admin_batam, {}
    if event in ("reject", "release"):
        return w.admin_batam, reason
    if event == "assign_team":
        return w.admin_kepri, {"data": {"team": w.team.id}}
    if event == "start_assessment":
        w.declare(app)
        w.agree(app)
        return w.lead.user, {}
    if event == "recommend":
        w.score_all(app, w.lead)
        return w.lead.user, {"data": {"recommendation": "K"}}
    if event in ("return_assessment", "decline"):
        return w.certifier, reason
    if event == "certify":
        return w.certifier, {}
    if event in ("uphold_appeal", "dismiss_appeal"):
        return w.certifier2, reason
    raise AssertionError(f"no rightful way to fire {event}")


def routes():
    """(event, source, dest, appealed_from) for every route of the application workflow."""
    for ev in APPLICATION.events:
        for route in ev.routes:
            appealed_from = route.when[1] if route.when else "ineligible"
            yield pytest.param(
                ev.name, route.source, route.dest, appealed_from, id=f"{ev.name}.{route.source}.{route.dest}"
            )


def logs_of(db, app: Application, workflow: str = "application") -> list[TransitionLog]:
    """The transition-log rows of ``app`` in ``workflow``, oldest first."""
    return db.session.scalars(
        select(TransitionLog)
        .where(TransitionLog.application_id == app.id, TransitionLog.workflow == workflow)
        .order_by(TransitionLog.id)
    ).all()


@pytest.mark.parametrize(("event", "source", "dest", "appealed_from"), list(routes()))
def test_every_route_fires_on_a_real_application(world, db, travel, event, source, dest, appealed_from):
    app = bring(world, world.new_application(), source, appealed_from=appealed_from)
    user, kw = rightful(world, app, event, travel)
    before_logs, before_version = len(logs_of(db, app)), app.version

    fired = fire_application_event(app, event, user, version=app.version, **kw)
    db.session.commit()

    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (fired.source, fired.dest) == (source, dest) and app.state == dest
    assert app.version == before_version + 1, "one transition, one version"
    logs = logs_of(db, app)
    assert len(logs) == before_logs + 1
    log = logs[-1]
    assert (log.event, log.from_state, log.to_state) == (event, source, dest)
    assert log.actor_id == (user.id if user else None)
    assert log.reason == kw.get("reason")
    assert log.workflow_version == APPLICATION.version
    assert log.at == app.state_changed_at


@pytest.mark.parametrize(("event", "source", "dest", "appealed_from"), list(routes()))
def test_every_route_is_refused_to_everyone_else(world, db, travel, event, source, dest, appealed_from):
    app = bring(world, world.new_application(), source, appealed_from=appealed_from)
    user, kw = rightful(world, app, event, travel)
    w = world
    people = {
        "candidate": w.candidate,
        "other_candidate": w.other_candidate,
        "admin_batam": w.admin_batam,
        "admin_kepri": w.admin_kepri,
        "admin_riau": w.admin_riau,
        "certifier": w.certifier,
        "certifier2": w.certifier2,
        "sysadmin": w.sysadmin,
        "lead": w.lead.user,
        "member": w.member.user,
        "batam_assessor": w.same_dinas_assessor.user,
        "system": None,
    }
    ev = APPLICATION.event(event)
    may = {
        ("candidate", "owner"): {"candidate"},
        ("dinas_admin", "dinas_admin"): {"admin_batam", "admin_kepri"},
        ("assessor", "team_lead"): {"lead"},
        ("certifier", "independent"): {"certifier", "certifier2"},
        # the decision appealed was taken by the dinas admin (reject) or by `certifier` (decline)
        ("certifier", "appeal_handler"): {"certifier2"} | ({"certifier"} if appealed_from == "ineligible" else set()),
        ("system", None): {"system"},
    }
    allowed = set().union(*(may[(p.role, p.relation)] for p in ev.who))
    assert next(n for n, u in people.items() if u is user) in allowed
    for name, person in people.items():
        if name in allowed:
            continue
        refused(db, Forbidden, app, event, person, **kw)
        assert db.session.get(Application, app.id).state == source
    assert db.session.scalar(select(func.count()).select_from(Appeal).where(Appeal.state != "open")) == 0
