"""Pages of dinas admins: verification, the assessor pool, teams, assignment, imports, figures."""
