"""Building a reported schedule with assessed candidates for the plenary's tests."""

from __future__ import annotations

from datetime import timedelta

from certflow import clock
from certflow.extensions import db
from certflow.models import Application, Schedule, Venue


def reported_schedule(world, candidates: int = 2, recommendations=None) -> tuple[Schedule, list[Application]]:
    """A schedule of Batam in ``reported`` with ``candidates`` assessed applications placed on it."""
    w = world
    venue = Venue(dinas_id=w.batam.id, name="TUK Batam", kind="sewaktu", address="Jl. Engku Putri 1", capacity=40)
    db.session.add(venue)
    db.session.flush()
    schedule = Schedule(
        dinas_id=w.batam.id,
        scheme_id=w.scheme.id,
        venue_id=venue.id,
        team_id=w.team.id,
        starts_at=clock.now() - timedelta(days=2),
        quota_min=1,
        quota_max=40,
        registration_closes=clock.today() - timedelta(days=7),
        state="reported",
        report_notes="Berjalan lancar.",
        attendance_recorded_at=clock.now() - timedelta(days=2),
    )
    db.session.add(schedule)
    db.session.commit()
    recommendations = recommendations or ["K"] * candidates
    apps = []
    for n, rec in enumerate(recommendations):
        from tests.factories import make_user

        person = w.candidate if n == 0 else make_user("candidate", w.batam, name=f"Calon {n}", **_profile())
        app = w.new_application(person)
        w.advance(app, "assessed", recommendation=rec)
        app.schedule_id = schedule.id
        apps.append(app)
    db.session.commit()
    return schedule, apps


def _profile() -> dict:
    return {"education_field": "peksos", "education_level": "D4", "practice_hours": 2000}


def lines_for(apps, decisions=None) -> list[dict]:
    decisions = decisions or ["K"] * len(apps)
    return [
        {"application": a.id, "decision": d, **({"reason": "Unit 1 belum kompeten."} if d == "BK" else {})}
        for a, d in zip(apps, decisions, strict=True)
    ]
