"""API: notifications (see ../shared/API.md)."""
