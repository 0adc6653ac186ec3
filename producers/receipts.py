"""Reading `receipts.<agency>`: what intake did with each signal (contract SignalReceipt v1).

Contracts:
- `read_receipts(..., from_beginning=True)` reads the topic from its start without a consumer
  group and commits nothing. Otherwise it reads as the group `<agency>-receipts` (an agency may use
  groups named `<agency>*` only, see `signalhub.kafka_access`) and
  commits what it returned, so the next call shows only receipts not seen before.
- It returns once `limit` receipts are read or no new one arrived for `idle_s` seconds.
- A message that is not a valid receipt is returned as a `Receipt` with status `undecodable` and
  the codec's reason (which never quotes content).
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata

from schemas.codec import Codec
from schemas.errors import SerializationError
from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings


@dataclass(frozen=True)
class Receipt:
    partition: int
    offset: int
    event_id: str
    status: str
    source_record_id: str | None = None
    case_number: str | None = None
    corroborated: bool = False
    reason: str | None = None
    error_field: str | None = None
    processed_at: datetime | None = None
    source_topic: str | None = None  # where intake read the signal: matches even undecodable bytes
    source_partition: int | None = None
    source_offset: int | None = None
    source_key: str | None = None


def group_of(agency: str) -> str:
    return f"{agency}-receipts"


def read_receipts(
    settings: KafkaSettings,
    agency: str,
    *,
    from_beginning: bool = False,
    limit: int | None = None,
    idle_s: float = 2.0,
) -> list[Receipt]:
    topic = settings.receipt_topic(agency)
    group = None if from_beginning else group_of(agency)
    codec = Codec("SignalReceipt")
    found: list[Receipt] = []
    with closing(make_consumer(settings, group, [] if from_beginning else [topic])) as consumer:
        if from_beginning:
            partitions = [
                TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])
            ]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
        while limit is None or len(found) < limit:
            batch = consumer.poll(timeout_ms=int(idle_s * 1000), max_records=500)
            if not batch:
                break
            for records in batch.values():
                found.extend(_receipt(codec, r) for r in records)
        if limit is not None:
            found = sorted(found, key=lambda r: (r.partition, r.offset))[:limit]
        if group is not None and found:
            _commit(consumer, topic, found)
    return found


def _commit(consumer: Any, topic: str, receipts: list[Receipt]) -> None:
    """Commit up to the last returned receipt of each partition (not beyond what `limit` cut)."""
    last: dict[int, int] = {}
    for r in receipts:
        last[r.partition] = max(last.get(r.partition, -1), r.offset)
    consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o + 1, "", -1) for p, o in last.items()})


def _receipt(codec: Codec, record: Any) -> Receipt:
    try:
        data = codec.decode(record.value)
    except SerializationError as e:
        return Receipt(record.partition, record.offset, "?", "undecodable", reason=e.reason.value)
    return Receipt(
        record.partition,
        record.offset,
        data["event_id"],
        data["status"],
        data.get("source_record_id"),
        data.get("case_number"),
        bool(data.get("corroborated")),
        data.get("reason"),
        data.get("error_field"),
        data.get("processed_at"),
        data.get("source_topic"),
        data.get("source_partition"),
        data.get("source_offset"),
        data.get("source_key"),
    )
