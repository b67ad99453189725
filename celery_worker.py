"""The Celery entry point: ``celery -A celery_worker worker`` (and ``beat``)."""

from certflow import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
