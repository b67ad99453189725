"""Assessment events: venues (TUK), schedules and their workflow, placement, attendance."""
