"""Pages of certifiers: the decision queue, the whole record, appeals, certificate lifecycle."""
