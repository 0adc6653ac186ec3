"""Replay through the real intake: an invalid signal is dead-lettered by intake and listed with its
reason; replaying it and a copy of an already processed signal changes nothing in the database
(intake deduplicates on event_id) and the still-invalid one is dead-lettered again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
from kafka import TopicPartition
from sqlalchemy import func, select

from consumers.intake.app import run as run_intake
from producers.publisher import Publisher
from schemas.cloudevents import CloudEvent, to_headers
from schemas.codec import Codec
from signalhub import dlq
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import DatabaseSettings, KafkaSettings, Settings
from signalhub.signals import RiskSignalModel
from signalhub.store import migrate
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.cases import Case
from signalhub.store.messaging import OutboxMessage
from signalhub.store.registry import InboxEntry, Person, Signal
from tests.fixtures.intake import HUB_RULES
from tests.unit.schemas.samples import AT, risk_signal

pytestmark = pytest.mark.integration
INVALID_EVENT = "5d0c7a64-1f7e-4d8e-a3b0-9f1b6c2d7e40"


@pytest.fixture
def intake(
    kafka_settings: KafkaSettings, sqlite_url: str, unique_group: Callable[[str], str]
) -> Iterator[str]:
    """A real intake process (in a thread) on a migrated SQLite database; yields its group."""
    migrate.upgrade(sqlite_url)
    group = unique_group("intake")
    stop = threading.Event()
    settings = Settings(
        kafka=kafka_settings, db=DatabaseSettings(url=sqlite_url), region_code=HUB_RULES.region_code
    )
    worker = threading.Thread(target=run_intake, args=(settings,), kwargs={"group": group, "stop": stop})
    worker.start()
    yield group
    stop.set()
    worker.join(30)


def _counts(url: str) -> dict[str, int]:
    """Rows that are effects of a signal; receipts are left out (a duplicate gets one)."""
    tables = {"signals": Signal, "cases": Case, "persons": Person, "inbox": InboxEntry}
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            counts = {
                name: session.scalar(select(func.count()).select_from(t)) or 0 for name, t in tables.items()
            }
            alerts = select(func.count()).where(OutboxMessage.contract == "CaseAlert")
            counts["alerts"] = session.scalar(alerts) or 0
            return counts
    finally:
        engine.dispose()


def _caught_up(settings: KafkaSettings, group: str, topic: str) -> bool:
    """True when `group` has committed offsets up to the end of every partition of `topic`.

    The reader only asks for committed offsets: it never joins (or disturbs) the group."""
    with closing(make_consumer(settings, group, [])) as consumer:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(tps)
        return all((consumer.committed(tp) or 0) >= end for tp, end in ends.items())


def _records(settings: KafkaSettings, topic: str) -> list[Any]:
    """Every record now in `topic`."""
    with closing(make_consumer(settings, None, [])) as consumer:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        found: list[Any] = []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            found.extend(r for batch in consumer.poll(timeout_ms=500).values() for r in batch)
        return found


def _eventually(check: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def test_replay_never_duplicates_effects(kafka_settings: KafkaSettings, sqlite_url: str, intake: str) -> None:
    source = kafka_settings.signal_topic("police")
    with Publisher(kafka_settings, rules=HUB_RULES) as publisher:
        publisher.publish(RiskSignalModel.from_avro(risk_signal()))
    claims_health = risk_signal() | {
        "event_id": INVALID_EVENT,
        "agency": "health",
        "signal_type": "suspicious_injury",
    }
    event = CloudEvent(id=INVALID_EVENT, source="police/isod", type="domestic_violence", time=AT)
    producer = make_producer(kafka_settings)
    producer.send(
        source, key=b"rec-2", value=Codec("RiskSignal").encode(claims_health), headers=to_headers(event)
    )
    producer.flush(10)

    _eventually(lambda: len(dlq.read(kafka_settings)) == 1 and _counts(sqlite_url)["signals"] == 1)
    [refused] = dlq.read(kafka_settings)
    assert refused.source_topic == source
    assert refused.reason == "agency_mismatch"
    assert refused.header("ce_id") == INVALID_EVENT
    before = _counts(sqlite_url)
    assert before["cases"] == 1
    assert before["alerts"] >= 1

    # The accepted signal comes back too, as if an earlier fault had dead-lettered it.
    [accepted] = [r for r in _records(kafka_settings, source) if r.key != b"rec-2"]
    error = RuntimeError("transient fault")
    headers = dlq.error_headers(
        topic=source, partition=accepted.partition, offset=accepted.offset, stage="store", reason="transient",
        error=error, consumer="consumers.intake",
    )  # fmt: skip
    producer.send(
        kafka_settings.dlq_topic,
        key=accepted.key,
        value=accepted.value,
        headers=[*accepted.headers, *headers],
    )
    producer.flush(10)
    producer.close()

    letters = dlq.read(kafka_settings)
    assert [r.error for r in dlq.replay(kafka_settings, letters)] == [None, None]
    _eventually(lambda: _caught_up(kafka_settings, intake, source) and len(dlq.read(kafka_settings)) == 3)
    assert _counts(sqlite_url) == before  # receipts (duplicate, rejected) are the only new rows
    [again] = [d for d in dlq.read(kafka_settings) if d.header(dlq.REPLAYED_FROM)]
    assert again.reason == "agency_mismatch"
    assert again.header(dlq.REPLAYED_FROM) == f"{kafka_settings.dlq_topic}:{refused.ref}"
