"""Scheduled work: reminders before deadlines, and the system's own transitions when they pass.

Every job is safe to run twice and on several workers at once:

* a reminder is an outbox row with an idempotency key naming what it reminds of, and when
  (``reminder:cert:<id>:<days>:<user>``); rows are inserted with ``ON CONFLICT DO NOTHING`` and
  the in-app notification is written only for the rows that were new — so each reminder goes
  out once, whoever inserts it first;
* a transition (``expire_revision``, ``expire``, ``withdraw``) locks its rows
  (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time) and runs through
  the workflow service, whose version check turns a concurrent change into ``StaleVersion``;
  a record that moved on meanwhile is skipped, not an error.

Each job works in batches of ``SCHEDULED_BATCH`` records, one commit per batch; selecting a
batch and writing its reminders takes a constant number of queries whatever its size.

``JOBS`` is the one list of jobs: each is registered by ``@scheduled_job(every=...)`` beside its
function, with the setting that says how often beat runs it; the Celery task
(``certflow.notifications.tasks.run_scheduled_job``) and the beat schedule are built from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from certflow import clock
from certflow.applications.workflow import fire_application_event, fire_certificate_event
from certflow.assessment import written_tests
from certflow.core.errors import StaleVersion
from certflow.extensions import db
from certflow.models import (
    Application,
    Assessor,
    Certificate,
    TransitionLog,
    User,
)
from certflow.notifications.reminders import add_reminders, certifier_ids, dinas_admins_of, team_members_of
from workflows import WorkflowError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A scheduled job: its name, what it runs, and the setting holding the seconds between two runs."""

    name: str
    run: Callable[[], dict]
    every: str

    def interval(self, config) -> float:
        """Seconds between two runs of the job, from the application's ``config``."""
        return float(config[self.every])


JOBS: dict[str, Job] = {}  # filled by @scheduled_job, in the order of this module


def scheduled_job(every: str):
    """Register the decorated function as a scheduled job, run by beat every ``config[every]`` seconds."""

    def register(run: Callable[[], dict]) -> Callable[[], dict]:
        if run.__name__ in JOBS:
            raise ValueError(f"a scheduled job called {run.__name__!r} is registered already")
        JOBS[run.__name__] = Job(run.__name__, run, every)
        return run

    return register


def _reminder_due(days_left: int, thresholds) -> int | None:
    """The reminder a record ``days_left`` days from its date is due for: the smallest threshold not below it."""
    due = [t for t in sorted(thresholds) if days_left <= t]
    return due[0] if due and days_left >= 0 else None


def _batches(stmt, model):
    """Run ``stmt`` in id order, ``SCHEDULED_BATCH`` rows at a time; commit after each batch."""
    size = current_app.config["SCHEDULED_BATCH"]
    last = 0
    while True:
        rows = db.session.execute(stmt.where(model.id > last).order_by(model.id).limit(size)).all()
        if not rows:
            return
        yield rows
        db.session.commit()
        last = rows[-1][0]
        if len(rows) < size:
            return


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_revision_deadlines() -> dict:
    """Remind candidates whose revision is due within ``REVISION_REMINDER_DAYS`` (once per deadline)."""
    today = clock.today()
    horizon = today + timedelta(days=current_app.config["REVISION_REMINDER_DAYS"])
    stmt = select(Application.id, Application.candidate_id, Application.revision_deadline).where(
        Application.state == "revision_requested",
        Application.revision_deadline >= today,
        Application.revision_deadline <= horizon,
    )
    sent = 0
    for rows in _batches(stmt, Application):
        sent += add_reminders(
            [
                {
                    "key": f"reminder:revision:{app_id}:{deadline.isoformat()}:{user}",
                    "user": user,
                    "event": "revision_deadline",
                    "application": app_id,
                    "params": {"date": deadline.isoformat()},
                }
                for app_id, user, deadline in rows
            ]
        )
    return {"reminders": sent}


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_overdue_assessments() -> dict:
    """Tell the team and the dinas admins when an assessment is not done ``ASSESSMENT_DUE_DAYS`` after assignment."""
    due_days = current_app.config["ASSESSMENT_DUE_DAYS"]
    assigned = (
        select(TransitionLog.application_id, func.max(TransitionLog.id).label("log_id"))
        .where(TransitionLog.workflow == "application", TransitionLog.event == "assign_team")
        .group_by(TransitionLog.application_id)
        .subquery()
    )
    stmt = (
        select(Application.id, Application.team_id, Application.dinas_id, TransitionLog.id, TransitionLog.at)
        .join(assigned, assigned.c.application_id == Application.id)
        .join(TransitionLog, TransitionLog.id == assigned.c.log_id)
        .where(
            Application.state.in_(("team_assigned", "in_assessment")),
            TransitionLog.at <= clock.now() - timedelta(days=due_days),
        )
    )
    sent = 0
    for rows in _batches(stmt, Application):
        teams = team_members_of(r[1] for r in rows if r[1] is not None)
        admins = dinas_admins_of(r[2] for r in rows)
        reminders = []
        for app_id, team_id, dinas_id, log_id, at in rows:
            due_on = (at.astimezone(clock.LOCAL_TZ).date() + timedelta(days=due_days)).isoformat()
            for user in dict.fromkeys(teams.get(team_id, []) + admins.get(dinas_id, [])):
                reminders.append(
                    {
                        "key": f"reminder:overdue:{app_id}:{log_id}:{user}",
                        "user": user,
                        "event": "assessment_overdue",
                        "application": app_id,
                        "params": {"date": due_on},
                    }
                )
        sent += add_reminders(reminders)
    return {"reminders": sent}


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_expiring_certificates() -> dict:
    """Remind holders of active certificates expiring in 90, 60, 30 and 7 days (each once)."""
    today = clock.today()
    thresholds = current_app.config["CERT_REMINDER_DAYS"]
    stmt = select(
        Certificate.id, Certificate.holder_id, Certificate.application_id, Certificate.number, Certificate.expires_on
    ).where(
        Certificate.status == "active",
        Certificate.expires_on > today,
        Certificate.expires_on <= today + timedelta(days=max(thresholds)),
    )
    sent = 0
    for rows in _batches(stmt, Certificate):
        reminders = []
        for cert_id, holder, app_id, number, expires_on in rows:
            days = _reminder_due((expires_on - today).days, thresholds)
            if days is None:
                continue
            reminders.append(
                {
                    "key": f"reminder:cert:{cert_id}:{days}:{holder}",
                    "user": holder,
                    "event": "certificate_expiring",
                    "application": app_id,
                    "certificate": cert_id,
                    "params": {"number": number, "date": expires_on.isoformat(), "days": (expires_on - today).days},
                }
            )
        sent += add_reminders(reminders)
    return {"reminders": sent}


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_expiring_licences() -> dict:
    """Remind active assessors, and their dinas admins, of a licence expiring (90, 30 and 7 days; each once)."""
    today = clock.today()
    thresholds = current_app.config["LICENCE_REMINDER_DAYS"]
    stmt = (
        select(Assessor.id, Assessor.user_id, Assessor.dinas_id, Assessor.licence_number, Assessor.licence_expires)
        .add_columns(User.name)
        .join(User, User.id == Assessor.user_id)
        .where(
            Assessor.active.is_(True),
            Assessor.licence_expires >= today,
            Assessor.licence_expires <= today + timedelta(days=max(thresholds)),
        )
    )
    sent = 0
    for rows in _batches(stmt, Assessor):
        admins = dinas_admins_of(r[2] for r in rows)
        reminders = []
        for assessor_id, user_id, dinas_id, licence, expires, name in rows:
            days = _reminder_due((expires - today).days, thresholds)
            if days is None:
                continue
            params = {"licence": licence, "name": name, "date": expires.isoformat(), "days": (expires - today).days}
            for user in dict.fromkeys([user_id] + admins.get(dinas_id, [])):
                key = f"reminder:licence:{assessor_id}:{expires.isoformat()}:{days}:{user}"
                reminders.append({"key": key, "user": user, "event": "licence_expiring", "params": params})
        sent += add_reminders(reminders)
    return {"reminders": sent}


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_ending_suspensions() -> dict:
    """Tell the certifiers when a suspension ends within ``SUSPENSION_REMINDER_DAYS`` (once per end date)."""
    today = clock.today()
    horizon = today + timedelta(days=current_app.config["SUSPENSION_REMINDER_DAYS"])
    stmt = select(Certificate.id, Certificate.application_id, Certificate.number, Certificate.suspended_until).where(
        Certificate.status == "suspended",
        Certificate.suspended_until > today,
        Certificate.suspended_until <= horizon,
    )
    sent = 0
    for rows in _batches(stmt, Certificate):
        certifiers = certifier_ids()
        sent += add_reminders(
            [
                {
                    "key": f"reminder:suspension:{cert_id}:{until.isoformat()}:{user}",
                    "user": user,
                    "event": "suspension_ending",
                    "application": app_id,
                    "certificate": cert_id,
                    "params": {"number": number, "date": until.isoformat()},
                }
                for cert_id, app_id, number, until in rows
                for user in certifiers
            ]
        )
    return {"reminders": sent}


# -- the system's transitions ----------------------------------------------------------------
def _fire_each(model, conditions, fire, *options) -> dict:
    """Lock the records matching ``conditions`` a batch at a time and ``fire`` on each; skip those that moved on."""
    size = current_app.config["SCHEDULED_BATCH"]
    done = skipped = 0
    last = 0
    while True:
        records = (
            db.session.scalars(
                select(model)
                .options(*options)
                .where(model.id > last, *conditions)
                .order_by(model.id)
                .limit(size)
                .with_for_update(skip_locked=True, of=model)
            )
            .unique()
            .all()
        )
        last = records[-1].id if records else last
        for record in records:
            try:
                with db.session.begin_nested():
                    fire(record)
                done += 1
            except (WorkflowError, StaleVersion) as exc:  # changed meanwhile (stale version, guard no longer holds)
                skipped += 1
                log.info("%s %s skipped: %s", model.__name__, record.id, exc)
        db.session.commit()
        if len(records) < size:
            return {"done": done, "skipped": skipped}


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def expire_revisions() -> dict:
    """Withdraw applications whose revision deadline has passed (``expire_revision``, by the system)."""
    return _fire_each(
        Application,
        [Application.state == "revision_requested", Application.revision_deadline < clock.today()],
        lambda app: fire_application_event(app, "expire_revision", None),
    )


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def expire_certificates() -> dict:
    """Expire certificates on their expiry date (``expire``, by the system)."""
    return _fire_each(
        Certificate,
        [Certificate.status.in_(("active", "suspended")), Certificate.expires_on <= clock.today()],
        lambda cert: fire_certificate_event(cert, "expire", None),
        joinedload(Certificate.application),
    )


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def end_suspensions() -> dict:
    """Withdraw certificates still suspended when their suspension's end date comes (DOMAIN.md)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        reason = gettext("The suspension reached its end date without the certificate being reinstated.")
    return _fire_each(
        Certificate,
        [Certificate.status == "suspended", Certificate.suspended_until <= clock.today()],
        lambda cert: fire_certificate_event(cert, "withdraw", None, reason=reason),
        joinedload(Certificate.application),
    )


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def submit_expired_written_tests() -> dict:
    """Submit the written tests whose deadline has passed (answers were frozen at the deadline already)."""
    done, skipped = 0, 0
    while True:
        try:
            n = written_tests.submit_expired()
            db.session.commit()
        except StaleDataError:  # a candidate submitted meanwhile: read the batch again
            db.session.rollback()
            skipped += 1
            if skipped > 3:
                return {"done": done, "skipped": skipped}
            continue
        done += n
        if n < written_tests.EXPIRED_BATCH:
            return {"done": done} if not skipped else {"done": done, "skipped": skipped}


def run_job(name: str) -> dict:
    """Run the scheduled job called ``name`` (see ``JOBS``); its counts."""
    if name not in JOBS:
        raise ValueError(f"no scheduled job called {name!r}")
    return JOBS[name].run()


def run_all() -> dict[str, dict]:
    """Run every scheduled job once, in order (the CLI and tests; beat runs them one by one)."""
    return {name: job.run() for name, job in JOBS.items()}


# -- assessment events (certflow.schedules) ----------------------------------------------------


def _schedule_audience(schedule_ids) -> dict[int, list[int]]:
    """Each schedule's placed candidates (user ids), in one query."""
    from certflow.schedules.facts import NOT_PLACED_STATES

    found: dict[int, list[int]] = {}
    ids = list(schedule_ids)
    if ids:
        rows = db.session.execute(
            select(Application.schedule_id, Application.candidate_id).where(
                Application.schedule_id.in_(ids), Application.state.not_in(NOT_PLACED_STATES)
            )
        )
        for schedule_id, user_id in rows:
            found.setdefault(schedule_id, []).append(user_id)
    return found


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def remind_schedules() -> dict:
    """The event 3 days and 1 day before (candidates and team, each once); the lead's report overdue
    ``SCHEDULE_REPORT_DUE_DAYS`` after the event (the lead and the dinas admins, once)."""
    from certflow.models import Schedule, Team
    from certflow.schedules.operations import schedule_params

    today, now = clock.today(), clock.now()
    thresholds = current_app.config["SCHEDULE_REMINDER_DAYS"]
    coming = select(Schedule.id).where(
        Schedule.state.in_(("open", "ready")),
        Schedule.starts_at >= now,
        Schedule.starts_at <= now + timedelta(days=max(thresholds) + 1),
    )
    sent = 0
    for rows in _batches(coming, Schedule):
        schedules = db.session.scalars(select(Schedule).where(Schedule.id.in_([r[0] for r in rows]))).all()
        audience = _schedule_audience(s.id for s in schedules)
        teams = team_members_of(s.team_id for s in schedules)
        reminders = []
        for s in schedules:
            days_left = (s.starts_at.astimezone(clock.LOCAL_TZ).date() - today).days
            due = _reminder_due(days_left, thresholds)
            if due is None:
                continue
            params = {**schedule_params(s), "days": days_left}
            for user in dict.fromkeys(audience.get(s.id, []) + teams.get(s.team_id, [])):
                reminders.append(
                    {
                        "key": f"reminder:schedule:{s.id}:{due}:{user}",
                        "user": user,
                        "event": "schedule_coming",
                        "workflow": "schedule",
                        "params": params,
                    }
                )
        sent += add_reminders(reminders)
    due_days = current_app.config["SCHEDULE_REPORT_DUE_DAYS"]
    overdue = (
        select(Schedule.id, Schedule.dinas_id, Assessor.user_id)
        .join(Team, Team.id == Schedule.team_id)
        .join(Assessor, Assessor.id == Team.lead_id)
        .where(Schedule.state.in_(("ready", "held")), Schedule.starts_at <= now - timedelta(days=due_days))
    )
    for rows in _batches(overdue, Schedule):
        admins = dinas_admins_of(r[1] for r in rows)
        schedules = {s.id: s for s in db.session.scalars(select(Schedule).where(Schedule.id.in_([r[0] for r in rows])))}
        reminders = []
        for schedule_id, dinas_id, lead_user in rows:
            params = schedule_params(schedules[schedule_id])
            for user in dict.fromkeys([lead_user, *admins.get(dinas_id, [])]):
                reminders.append(
                    {
                        "key": f"reminder:schedule-report:{schedule_id}:{user}",
                        "user": user,
                        "event": "schedule_report_overdue",
                        "workflow": "schedule",
                        "params": params,
                    }
                )
        sent += add_reminders(reminders)
    return {"reminders": sent}


# -- personal data (DOMAIN.md rule 8) -----------------------------------------------------------


@scheduled_job(every="SCHEDULED_JOBS_SECONDS")
def anonymise_expired_people() -> dict:
    """Anonymise the people whose retention period (``RETENTION_YEARS``) has passed and who have nothing open."""
    from certflow.privacy.retention import anonymise_due

    return anonymise_due()
