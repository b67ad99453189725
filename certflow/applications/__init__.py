"""Applications: APL-01/02, documents, the facts guards read, firing events and their effects."""
