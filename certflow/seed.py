"""Demo data (filled in by the seed work)."""

DEMO_PASSWORD = "demo12345"
DEMO_ACCOUNTS: list[tuple[str, str, list[str], str | None]] = []


def seed_demo(if_empty: bool = False) -> str:
    """Load the demo data; with ``if_empty``, only into an empty database."""
    return "nothing seeded yet"
