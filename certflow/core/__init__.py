"""The request core shared by pages and the API: one error family, one commit-once boundary."""
