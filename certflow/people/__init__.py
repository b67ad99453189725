"""People: who they are, and what each may see and do (``policy``)."""
