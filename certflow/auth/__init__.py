"""Logging in to the pages (Flask-Login)."""
