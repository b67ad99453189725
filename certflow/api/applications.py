"""API: applications (see ../shared/API.md)."""
