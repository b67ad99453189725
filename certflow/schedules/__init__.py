"""Assessment events: venues (TUK), schedules, attendance, reports, the plenary decision."""
