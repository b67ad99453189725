"""gunicorn settings read from the working directory (``make run`` and the Procfile's ``web``).

- Stops within a few seconds: on SIGTERM a worker finishes its request for at most
  ``GUNICORN_GRACEFUL_TIMEOUT`` seconds (default 5), then is killed; SIGINT stops at once.
- The access log line ends with the request id (``X-Request-ID`` of the answer).
- Prometheus multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, see certflow/ops/metrics.py): the
  folder is emptied when the arbiter starts, and an exited worker's live gauges are dropped.
"""

import os
import shutil

graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "5"))
# The access log (when on: `--access-logfile -`) names each request's id, as the application's JSON lines do.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
