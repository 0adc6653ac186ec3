"""Shared fixtures: each concern keeps its own in tests/fixtures/ and is listed here."""

pytest_plugins: list[str] = []
