"""API: imports (see ../shared/API.md)."""
