"""Public pages: certificate verification (no login)."""
