"""Certification schemes and their competency standards."""
