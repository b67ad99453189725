"""API: assessors (see ../shared/API.md)."""
