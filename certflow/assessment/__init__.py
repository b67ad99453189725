"""The assessment: the assessor pool, teams, conflict declarations and scores."""
