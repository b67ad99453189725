"""API: certificates (see ../shared/API.md)."""
