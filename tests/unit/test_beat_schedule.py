"""Beat runs what the registries list, each at its registered interval, and nothing else."""

from __future__ import annotations

import pytest
from celery import Celery

from certflow import jobs as scheduled
from certflow.notifications import tasks

CONFIG = {"OUTBOX_RELAY_SECONDS": 30.0, "SCHEDULED_JOBS_SECONDS": 3600.0}


def test_every_registered_job_is_scheduled_and_nothing_else():
    schedule = tasks.beat_schedule(CONFIG)
    jobs = {name: entry for name, entry in schedule.items() if name != "relay-outbox"}
    assert set(jobs) == {f"job-{name}" for name in scheduled.JOBS}
    for job in scheduled.JOBS.values():
        entry = jobs[f"job-{job.name}"]
        assert entry == {"task": tasks.RUN_JOB_TASK, "args": [job.name], "schedule": CONFIG[job.every]}
    assert schedule["relay-outbox"] == {"task": tasks.RELAY_TASK, "schedule": 30.0}


def test_the_registry_is_the_modules_jobs():
    assert list(scheduled.JOBS)[:2] == ["remind_revision_deadlines", "remind_overdue_assessments"]
    for name, job in scheduled.JOBS.items():
        assert getattr(scheduled, name) is job.run and job.name == name
    assert {"expire_revisions", "expire_certificates", "end_suspensions"} <= set(scheduled.JOBS)


def test_a_job_is_scheduled_at_the_interval_registered_beside_it(monkeypatch):
    monkeypatch.setattr(scheduled, "JOBS", dict(scheduled.JOBS))

    @scheduled.scheduled_job(every="NIGHTLY_SECONDS")
    def tidy_up() -> dict:
        return {}

    schedule = tasks.beat_schedule({**CONFIG, "NIGHTLY_SECONDS": 86400})
    assert schedule["job-tidy_up"] == {"task": tasks.RUN_JOB_TASK, "args": ["tidy_up"], "schedule": 86400.0}
    with pytest.raises(ValueError):
        scheduled.scheduled_job(every="NIGHTLY_SECONDS")(tidy_up)


def test_every_scheduled_task_and_the_delivery_are_registered_under_their_names():
    from certflow.notifications.dispatch import DELIVER_TASK

    celery = Celery("check-names")
    celery.finalize()  # binds the shared tasks
    names = set(celery.tasks)
    assert {entry["task"] for entry in tasks.beat_schedule(CONFIG).values()} <= names
    assert DELIVER_TASK in names and celery.tasks[DELIVER_TASK].acks_late
