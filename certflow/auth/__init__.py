"""Logging in to the pages (Flask-Login), logging out, and candidates' self-registration."""
