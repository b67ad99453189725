"""Certificates: issuing them and their PDF."""
