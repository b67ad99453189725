"""API: reference (see ../shared/API.md)."""
