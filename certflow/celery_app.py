"""Celery bound to the Flask app: every task runs inside the application context.

Delivery settings (see ``certflow.notifications.delivery`` for the guarantee):
``acks_late`` with rejection on a lost worker, so a task is acknowledged only once it
finished; one task prefetched at a time; and on Redis a visibility timeout longer than
the longest retry delay plus a delivery lease, so Redis never hands a task still
waiting for its retry (or still running) to a second worker.

The beat schedule is built from the registries (``certflow.notifications.tasks.beat_schedule``):
the scheduled jobs are listed once, in ``certflow.jobs``.
"""

from __future__ import annotations

import os

from celery import Celery, Task
from flask import Flask

from certflow.notifications.tasks import beat_schedule

TASKS = "certflow.notifications.tasks"


def visibility_timeout(config) -> int:
    """Seconds Redis waits before redelivering an unacknowledged task: above any retry delay plus a lease."""
    longest = config["OUTBOX_RETRY_MAX_SECONDS"] + config["OUTBOX_LEASE_SECONDS"]
    return int(max(3600, 2 * longest))


def celery_init_app(app: Flask) -> Celery:
    """Create the app's Celery, configured from the Flask config, and store it in ``app.extensions``."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(app.name, task_cls=FlaskTask)
    conf = {
        "broker_url": broker,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_always_eager": app.config.get("CELERY_TASK_ALWAYS_EAGER", False),
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "worker_prefetch_multiplier": 1,
        # The JSON log handler of certflow.ops.logs stays on the root logger in the worker too.
        "worker_hijack_root_logger": False,
        # Stopping: a task cut off by a lost broker goes back to the queue (acks_late) instead of
        # holding the worker in its warm shutdown; `make serve` and the Procfile use the threads pool,
        # whose warm shutdown waits only for running tasks (tests/integration/test_clean_stops.py).
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_default_queue": app.config.get("CELERY_QUEUE", "celery"),
        # A broker that is down must not hold up the request that committed: the relay re-queues.
        "task_publish_retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
        "timezone": "Asia/Jakarta",
        "include": [TASKS],
        "beat_schedule": beat_schedule(app.config),
    }
    if broker.startswith("filesystem://"):
        folder = app.config["CELERY_BROKER_DIR"]
        for sub in ("out", "processed"):
            os.makedirs(os.path.join(folder, sub), exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": os.path.join(folder, "out"),
            "data_folder_out": os.path.join(folder, "out"),
            "processed_folder": os.path.join(folder, "processed"),
            "store_processed": False,
        }
    elif broker.startswith("redis"):
        conf["broker_transport_options"] = {
            "visibility_timeout": visibility_timeout(app.config),
            "socket_connect_timeout": 2,
            "socket_timeout": 10,
        }
    celery.conf.update(conf)
    celery.set_default()
    app.extensions["celery"] = celery
    return celery
