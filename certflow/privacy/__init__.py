"""Personal-data rights (DOMAIN.md rule 8): a person's export, and anonymising after the retention period."""
