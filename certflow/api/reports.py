"""API: reports (see ../shared/API.md)."""
