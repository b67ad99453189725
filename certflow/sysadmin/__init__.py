"""Pages of the system admin: schemes and their standards, users and roles."""
