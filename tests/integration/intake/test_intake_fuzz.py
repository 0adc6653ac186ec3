"""Fuzz whole intake on the real broker and PostgreSQL (CI-sized): hostile messages of every kind,
and every one ends in exactly one receipt, none stops intake (invariants 1 and 7, issue 13)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, seed, settings

from signalhub.settings import KafkaSettings
from signalhub.store import migrate
from tests.fixtures.fuzzing import run_intake
from tests.fixtures.hostile import Message, messages

pytestmark = pytest.mark.integration
COUNT = 300


def draw_messages(n: int) -> list[Message]:
    """`n` groups of messages, drawn by Hypothesis with a fixed seed (the same run every time)."""
    drawn: list[Message] = []

    @seed(13)
    @settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(messages())
    def collect(group: list[Message]) -> None:
        drawn.extend(group)

    collect()
    return drawn


def test_no_hostile_message_stops_intake_or_goes_missing(
    kafka_settings: KafkaSettings, fresh_pg_url: str
) -> None:
    migrate.upgrade(fresh_pg_url)
    inputs = draw_messages(COUNT)
    tally = run_intake(kafka_settings, fresh_pg_url, inputs, idle_s=30)
    assert tally.crashes == 0
    assert tally.restarts == 0
    assert tally.lost == []
    assert sum(tally.statuses.values()) == tally.inputs
    assert tally.statuses["accepted"] >= tally.kinds["valid"] // 2  # valid inputs are not all refused
    assert tally.statuses["duplicate"] >= tally.kinds["resend"]
    assert set(tally.reasons) <= {
        "undecodable",
        "unknown_schema",
        "invalid_content",
        "invalid_headers",
        "refused_by_database",
    }
    assert "refused_by_database" not in tally.reasons  # the validator catches what the database would refuse
