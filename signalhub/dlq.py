"""The dead-letter topic: reading, inspecting and replaying what intake could not take.

A dead letter's layout and headers are described in `signalhub.dead_letter`, whose names
(`DeadLetter`, `error_headers`, `select`, `ERROR_PREFIX`, `REASON`, `REPLAYED_FROM`) are re-exported here.

Contracts:
- `read()` returns every dead letter present when it was called, oldest first per partition; it
  joins no consumer group and commits nothing, so it never disturbs intake or other readers.
- `replay()` sends each letter back to its source topic (the source partition when it still
  exists) with the original key, value and non-error headers plus `signalhub.replayed-from`
  (`<dlq topic>:<partition>:<offset>`), and returns once the broker acknowledged every send.
  The original `ce_id` (the event id) is kept, so intake's dedup on `event_id` makes a replay of
  something already processed a no-op: replaying twice never duplicates effects.
- Only the hub's signal topics are replay targets; a letter naming any other topic is refused.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import TopicPartition

from signalhub.dead_letter import ERROR_PREFIX, REASON, REPLAYED_FROM, DeadLetter, error_headers, select
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import AGENCIES, KafkaSettings

__all__ = [
    "ERROR_PREFIX",
    "REASON",
    "REPLAYED_FROM",
    "DeadLetter",
    "Replayed",
    "error_headers",
    "read",
    "replay",
    "select",
]


def read(settings: KafkaSettings, timeout_s: float = 30.0) -> list[DeadLetter]:
    """Every dead letter now in the topic, ordered by partition and offset (see module contract)."""
    topic = settings.dlq_topic
    with closing(make_consumer(settings, None, [])) as consumer:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end: dict[TopicPartition, int] = consumer.end_offsets(tps)
        letters = _drain(consumer, end, timeout_s)
    return sorted(letters, key=lambda d: (d.partition, d.offset))


def _drain(consumer: Any, end: dict[TopicPartition, int], timeout_s: float) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    deadline = time.monotonic() + timeout_s
    while any(consumer.position(tp) < last for tp, last in end.items()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading the dead-letter topic took longer than {timeout_s:.0f} s")
        for tp, records in consumer.poll(timeout_ms=500).items():
            letters.extend(_letter(r) for r in records if r.offset < end[tp])
    return letters


def _letter(record: Any) -> DeadLetter:
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=record.key,
        value=record.value,
        headers=[(k, bytes(v or b"")) for k, v in record.headers or []],
    )


@dataclass(frozen=True)
class Replayed:
    """What became of one letter: sent to `topic` (partition, offset) or refused with `error`."""

    letter: DeadLetter
    topic: str | None
    partition: int | None = None
    offset: int | None = None
    error: str | None = None


def replay(settings: KafkaSettings, letters: Sequence[DeadLetter], timeout_s: float = 30.0) -> list[Replayed]:
    """Send `letters` back to their source topics (module contract); one result per letter."""
    allowed = {settings.signal_topic(agency) for agency in AGENCIES}
    producer = make_producer(settings)
    try:
        sends: list[tuple[DeadLetter, str | None, Any]] = []
        for letter in letters:
            target = letter.source_topic
            if target is None or target not in allowed:
                sends.append((letter, target, None))
                continue
            partitions = producer.partitions_for(target) or set()
            partition = letter.source_partition if letter.source_partition in partitions else None
            headers = letter.replay_headers(settings.dlq_topic)
            future = producer.send(
                target, key=letter.key, value=letter.value, headers=headers, partition=partition
            )
            sends.append((letter, target, future))
        producer.flush(timeout=timeout_s)
        return [_result(letter, target, future, timeout_s) for letter, target, future in sends]
    finally:
        producer.close(timeout=timeout_s)


def _result(letter: DeadLetter, target: str | None, future: Any, timeout_s: float) -> Replayed:
    if future is None:
        return Replayed(letter, target, error="source topic is not a signal topic of the hub")
    meta = future.get(timeout=timeout_s)
    return Replayed(letter, target, meta.partition, meta.offset)
