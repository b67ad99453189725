"""Delivering notifications: the outbox relay, Celery tasks, e-mail rendering."""
