"""Shared fixtures: each concern keeps its own in tests/fixtures/ and is listed here."""

import os

# Tests run with the development secrets (SIGNALHUB_SECRET_KEY's default); processes started by
# tests inherit the flag that lets them (tests of the refusal remove it).
os.environ.setdefault("SIGNALHUB_DEV_MODE", "1")

pytest_plugins: list[str] = [
    "tests.fixtures.db",
    "tests.fixtures.kafka",
    "tests.fixtures.alerts",
    "tests.fixtures.intake",
    "tests.fixtures.api",
]
