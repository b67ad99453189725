"""Pages of assessors: their queue, conflict declarations, scoring, the lead's consolidation."""
