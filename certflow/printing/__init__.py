"""Printed forms: BNSP's forms as PDFs in Indonesian, filled from the records (``core``: the shared layout)."""
