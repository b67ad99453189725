"""Printed forms (PDF)."""
