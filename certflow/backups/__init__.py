"""Backups that restore: the database (PostgreSQL's own tools, or SQLite's backup API) and the stored
files, with a manifest of checksums that a restore verifies first (``flask backup`` / ``flask restore``)."""
