"""Shared fixtures: each concern keeps its own in tests/fixtures/ and is listed here."""

pytest_plugins: list[str] = [
    "tests.fixtures.db",
    "tests.fixtures.kafka",
    "tests.fixtures.alerts",
    "tests.fixtures.intake",
    "tests.fixtures.api",
]
