"""Reading topics back in the producers' integration tests."""

from __future__ import annotations

import time
from contextlib import closing
from typing import Any

from kafka import TopicPartition

from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings


def read_topic(
    settings: KafkaSettings, topic: str, *, expect: int | None = None, idle_s: float = 1.5
) -> list[Any]:
    """Every record of `topic` from the beginning (no group): until `expect` are read, or idle."""
    found: list[Any] = []
    with closing(make_consumer(settings, None, [])) as consumer:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=int(idle_s * 1000))
            if not batch:
                if expect is None or len(found) >= expect:
                    break
                continue
            for records in batch.values():
                found.extend(records)
            if expect is not None and len(found) > expect:
                break
    return sorted(found, key=lambda r: (r.partition, r.offset))


def headers_of(record: Any) -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in record.headers}
