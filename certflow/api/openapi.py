"""API: openapi (see ../shared/API.md)."""
