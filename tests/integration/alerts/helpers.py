"""Builders and readers shared by the alert tests."""

from __future__ import annotations

import time
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import TopicPartition
from sqlalchemy.orm import Session, sessionmaker

from schemas.cloudevents import header
from schemas.codec import Codec
from signalhub.domain.outbound import epoch_ms
from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings
from signalhub.store.messaging import OutboxMessage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def case_alert(
    case_id: str, seq: int, *, priority: str = "urgent", municipality: str = "14701000"
) -> dict[str, Any]:
    """A CaseAlert payload as the builder stores it (`signalhub.domain.outbound`: times in epoch ms)."""
    created = T0 + timedelta(seconds=seq)
    deadline = created + timedelta(hours=1)
    return {
        "alert_id": str(uuid.uuid4()),
        "alert_type": "case_opened" if seq == 0 else "signal_added",
        "case_id": case_id,
        "case_number": f"31-2026-{abs(hash(case_id)) % 1000000:06d}",
        "region_code": "31",
        "municipality_code": municipality,
        "priority": priority,
        "priority_score": 75,
        "priority_rules": ["child_under_1", "type:domestic_violence"],
        "case_status": "new",
        "ack_deadline": epoch_ms(deadline),
        "agencies": ["police", "health"],
        "children_count": 2,
        "youngest_child_age_months": 7,
        "created_at": epoch_ms(created),
        "detail": None,
    }


def receipt(agency: str = "police") -> dict[str, Any]:
    return {
        "receipt_id": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "agency": agency,
        "source_record_id": "KUSP-1",
        "status": "accepted",
        "case_number": None,
        "corroborated": False,
        "reason": None,
        "error_field": None,
        "processed_at": epoch_ms(T0),
    }


def outbox_row(contract: str, topic: str, payload: dict[str, Any], key: str) -> OutboxMessage:
    message_id = payload["alert_id"] if contract == "CaseAlert" else payload["receipt_id"]
    return OutboxMessage(
        message_id=message_id,
        contract=contract,
        topic=topic,
        key=key,
        ce_type=f"signalhub.alert.{payload.get('alert_type', 'receipt')}",
        payload=payload,
        created_at=datetime.now(UTC),
    )


def insert(sessions: sessionmaker[Session], rows: list[OutboxMessage]) -> None:
    with sessions() as session, session.begin():
        session.add_all(rows)


def consume_all(settings: KafkaSettings, topic: str, expected: int, timeout_s: float = 30.0) -> list[Any]:
    """Every record of `topic` from the beginning, once at least `expected` arrived (or time ran out)."""
    with closing(make_consumer(settings, None, [])) as consumer:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        # A short extra poll catches duplicates beyond the expected count.
        for batch in consumer.poll(timeout_ms=300).values():
            records.extend(batch)
        return records


def decode_alerts(records: list[Any]) -> list[dict[str, Any]]:
    codec = Codec("CaseAlert")
    return [codec.decode(r.value) for r in records]


def ce_id(record: Any) -> str | None:
    return header(record.headers, "ce_id")


def wait_until(predicate: Any, timeout_s: float = 30.0, interval_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return bool(predicate())
