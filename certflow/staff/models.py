"""The register's model (kept with the other models in ``certflow.models.staff``, so that they load together)."""

from certflow.models.staff import MAX_PRACTICE_HOURS, StaffMember

__all__ = ["MAX_PRACTICE_HOURS", "StaffMember"]
