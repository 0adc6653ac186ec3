"""Intake's casework through the case model, on SQLite and PostgreSQL (batches applied directly,
without a broker): a reopened case is reassessed from all its signals, so its explanation counts
every agency; a signal naming two families together merges them and their cases under the
one set of event names."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from consumers.intake.messages import Accepted, read
from consumers.intake.unit import IntakeConfig, process_batch
from schemas.codec import Codec
from signalhub.domain.linkage.config import default_config
from signalhub.settings import KafkaSettings
from signalhub.signal_rules import SignalRules
from signalhub.store.base import make_engine
from tests.fixtures.intake import FakeRecord, make_family, make_signal

pytestmark = pytest.mark.integration
CODEC = Codec("RiskSignal")
NOW = datetime.now(UTC).replace(microsecond=0)


def _apply(url: str, make: Callable[..., FakeRecord], signals: list[dict[str, Any]], now: datetime) -> None:
    items = [read(make(s), s["agency"], CODEC, SignalRules("31")) for s in signals]
    accepted = [i for i in items if isinstance(i, Accepted)]
    assert len(accepted) == len(signals)
    config = IntakeConfig(KafkaSettings(topic_prefix="t."), "31", default_config())
    engine = make_engine(url)
    try:
        process_batch(engine, config, accepted, [], now)
    finally:
        engine.dispose()


def _rows(url: str, sql: str, **params: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def test_reopened_case_explains_every_agency(
    migrated_db: str, record_factory: Callable[..., FakeRecord]
) -> None:
    fam = make_family(3)
    at = NOW - timedelta(days=3)
    _apply(migrated_db, record_factory, [make_signal(fam, "police", occurred_at=at),
                                         make_signal(fam, "health", occurred_at=at)], at)  # fmt: skip
    _rows(migrated_db, "UPDATE cases SET status = 'closed', outcome = 'family_preserved', closed_at = :at",
          at=NOW - timedelta(days=2))  # fmt: skip
    _apply(migrated_db, record_factory, [make_signal(fam, "education")], NOW)
    ((status, rules, agencies),) = _rows(migrated_db, "SELECT status, priority_rules, agencies FROM cases")
    rules, agencies = (v if isinstance(v, list) else json.loads(v) for v in (rules, agencies))
    assert status == "assessment"
    assert sorted(agencies) == ["education", "health", "police"]
    assert {"code": "agencies_30d:3", "points": 20} in rules
    kinds = [k for (k,) in _rows(migrated_db, "SELECT kind FROM case_events ORDER BY id")]
    assert "case_reopened" in kinds


def test_a_signal_naming_two_families_merges_their_cases(
    migrated_db: str, record_factory: Callable[..., FakeRecord]
) -> None:
    one, two = make_family(4), make_family(5)
    _apply(migrated_db, record_factory, [make_signal(one, "police")], NOW - timedelta(hours=2))
    _apply(migrated_db, record_factory, [make_signal(two, "health")], NOW - timedelta(hours=1))
    both = make_signal(one, "social", children=[one.children[0]], adults=[one.mother, two.mother])
    both["adults"][1] = {**two.mother, "role": "mother"}
    both["children"] = [one.children[0], two.children[0]]
    _apply(migrated_db, record_factory, [both], NOW)
    cases = _rows(migrated_db, "SELECT id, status, merged_into, opened_at FROM cases ORDER BY opened_at")
    (older, _s, _m, _o), (younger, status, merged_into, _o2) = cases
    assert (status, merged_into) == ("closed", older)
    events = _rows(migrated_db, "SELECT case_id, kind FROM case_events WHERE kind LIKE 'merged%' ORDER BY id")
    assert events == [(younger, "merged_into"), (older, "merged_from")]
    assert not _rows(migrated_db, "SELECT id FROM case_events WHERE kind IN ('case_merged', 'reopened')")
