"""Celery tasks: deliver one outbox message, relay what was not confirmed, run the scheduled jobs.

Tasks take ids (or a job's name), never objects; each is safe to run twice, and on several
workers at once (see ``certflow.notifications.delivery`` and ``certflow.jobs``).

``beat_schedule`` is what beat runs: the relay, and every job of ``scheduled.JOBS`` at the
interval registered beside it — nothing else, so a new job is scheduled by registering it.
"""

from __future__ import annotations

import logging

from celery import shared_task

from certflow import jobs as scheduled
from certflow.notifications import delivery
from certflow.notifications.dispatch import DELIVER_TASK

log = logging.getLogger(__name__)

RELAY_TASK = f"{__name__}.relay_outbox"
RUN_JOB_TASK = f"{__name__}.run_scheduled_job"
RELAY_EVERY = "OUTBOX_RELAY_SECONDS"  # the setting holding the seconds between two relays


@shared_task(name=DELIVER_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_outbox(self, message_id: int) -> str:
    """Send outbox message ``message_id`` unless another attempt has it or it was sent (idempotent).

    A failed attempt is retried with exponential backoff and jitter; the number of attempts is
    counted in the database, not by Celery, so a retry lost with its broker is picked up by the
    relay and still counts.
    """
    outcome = delivery.deliver(message_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(name=RELAY_TASK, acks_late=True)
def relay_outbox(limit: int | None = None, older_than_seconds: float | None = None) -> int:
    """Queue again every message not confirmed in time (dropped by a broker, or its worker died)."""
    ids = delivery.unconfirmed(limit, older_than_seconds)
    queued = 0
    for message_id in ids:
        try:
            deliver_outbox.delay(message_id)
            queued += 1
        except Exception:  # noqa: BLE001 - the broker went away again: the next relay tries
            log.warning("relay: could not queue outbox message %s", message_id, exc_info=True)
            break
    if ids:
        log.info("relay: queued %s unconfirmed outbox message(s)", queued)
    return queued


@shared_task(name=RUN_JOB_TASK, acks_late=True)
def run_scheduled_job(name: str) -> dict:
    """Run one job of the registry ``certflow.jobs.JOBS`` by name; returns its counts."""
    result = scheduled.run_job(name)
    log.info("scheduled job %s: %s", name, result)
    return result


def beat_schedule(config) -> dict:
    """The periodic tasks, built from the registries: the outbox relay, and each scheduled job."""
    schedule = {"relay-outbox": {"task": RELAY_TASK, "schedule": float(config[RELAY_EVERY])}}
    for job in scheduled.JOBS.values():
        schedule[f"job-{job.name}"] = {"task": RUN_JOB_TASK, "args": [job.name], "schedule": job.interval(config)}
    return schedule
