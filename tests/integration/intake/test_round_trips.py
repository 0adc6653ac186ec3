"""A small intake batch costs few round trips to PostgreSQL, whatever its agencies: at 200
signals/s intake runs batches of ~20 and every signal waits for a whole batch, so a batch's fixed
cost is its latency. Before: 38 round trips for ten new families from five agencies (a read per
agency, seven COPYs of two round trips each, each write its own), 35 for their second signals
(now 5 and 6).
The writes still land, and a redelivered batch changes nothing, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from consumers.intake.messages import Accepted, read
from consumers.intake.unit import IntakeConfig, process_batch
from schemas.codec import Codec
from signalhub.domain.linkage.config import default_config
from signalhub.settings import KafkaSettings
from signalhub.signal_rules import SignalRules
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import FakeRecord, make_family, make_signal
from tests.integration.store.wire import traced

CODEC = Codec("RiskSignal")
CONFIG = IntakeConfig(KafkaSettings(topic_prefix="t."), "31", default_config())
AGENCIES = ("police", "health", "education", "guardianship", "social")


def _batch(make: Callable[..., FakeRecord], first: int, agencies: tuple[str, ...]) -> list[Accepted]:
    signals = [make_signal(make_family(first + i), agencies[i % len(agencies)]) for i in range(10)]
    items = [read(make(s), s["agency"], CODEC, SignalRules("31")) for s in signals]
    accepted = [i for i in items if isinstance(i, Accepted)]
    assert len(accepted) == len(signals)
    return accepted


def _counts(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        counts = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in (
                "families",
                "persons",
                "cases",
                "signals",
                "signal_persons",
                "case_events",
                "inbox",
                "outbox",
            )
        }
        counts["numbers"] = sorted(conn.execute(text("SELECT number FROM cases")).scalars())
        counts["keys"] = conn.execute(text("SELECT count(*) FROM person_keys")).scalar_one() > 0
    return counts


@pytest.mark.integration
def test_a_small_batch_takes_few_round_trips(
    fresh_pg_url: str, record_factory: Callable[..., FakeRecord]
) -> None:
    migrate.upgrade(fresh_pg_url)
    engine = make_engine(fresh_pg_url, pool_size=1)
    now = datetime.now(UTC)
    try:
        process_batch(engine, CONFIG, _batch(record_factory, 100, AGENCIES), [], now)  # warm
        with traced(engine) as new:  # ten new families, five agencies
            process_batch(engine, CONFIG, _batch(record_factory, 0, AGENCIES), [], now)
        with traced(engine) as known:  # the same families again: their cases are read and joined
            process_batch(engine, CONFIG, _batch(record_factory, 0, AGENCIES[::-1]), [], now)
    finally:
        engine.dispose()
    # BEGIN; inbox + locks + stored signals + blocks; persons; case numbers; writes + COMMIT
    assert new.round_trips <= 5, new.statements
    # ... and, instead of case numbers: family locks + persons' families + families + cases;
    # the cases' signals + children
    assert known.round_trips <= 6, known.statements
    assert not [s for s in new.statements + known.statements if "COPY" in s]


def test_a_batch_writes_every_row_once(migrated_db: str, record_factory: Callable[..., FakeRecord]) -> None:
    engine = make_engine(migrated_db)
    now = datetime.now(UTC)
    first = _batch(record_factory, 0, AGENCIES)
    try:
        process_batch(engine, CONFIG, first, [], now)
        after_first = _counts(engine)
        process_batch(engine, CONFIG, first, [], now)  # redelivered: nothing changes
        assert _counts(engine) == after_first
        # half of the first batch again, with new signals: only the new ones are written
        process_batch(engine, CONFIG, first[:5] + _batch(record_factory, 10, AGENCIES), [], now)
        after_second = _counts(engine)
    finally:
        engine.dispose()
    assert after_first | {"numbers": None} == {
        "families": 10, "persons": 30, "cases": 10, "signals": 10, "signal_persons": 30, "case_events": 20,
        "inbox": 10, "outbox": after_first["outbox"], "numbers": None, "keys": True,
    }  # fmt: skip
    assert after_first["outbox"] >= 20  # a receipt and at least one alert per signal
    # numbered in sequence across batches (the counter's upsert), none twice
    assert after_second["numbers"] == [f"31-{now.year}-{n:06d}" for n in range(1, 21)]
    assert after_second["cases"] == 20
    assert after_second["signals"] == 20
    assert after_second["inbox"] == 20
    assert after_second["persons"] == 60
    assert after_second["outbox"] == 2 * after_first["outbox"]
