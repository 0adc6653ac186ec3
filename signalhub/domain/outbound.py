"""The hub's two outbound messages, each built in one place: `CaseAlert` (schemas/avro/CaseAlert)
and `SignalReceipt` (schemas/avro/SignalReceipt), as outbox entries ready to send.

A payload is the Avro record itself with timestamps as epoch milliseconds (`epoch_ms`, the one
conversion: what `timestamp-millis` holds and what the codec takes), so it is stored as JSON and
the relay encodes it unchanged with `Codec(contract)`. Neither message carries personal data: an
alert holds counts, codes and the case reference; a receipt the agency's own ids and a reason.
Ids are stable (`intake_rules.alert_id`, `receipt_id`): a rule firing twice writes one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from signalhub.domain.intake_rules import alert_id
from signalhub.domain.priority import youngest_age_months
from signalhub.domain.vocabulary import AlertType, ReceiptStatus

__all__ = [
    "CASE_ALERT_TIMES",
    "CaseLike",
    "OutboxEntry",
    "case_alert",
    "epoch_ms",
    "from_epoch_ms",
    "signal_receipt",
]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CASE_ALERT = "CaseAlert"
CASE_ALERT_TIMES = ("ack_deadline", "created_at")  # the alert's `timestamp-millis` fields
SIGNAL_RECEIPT = "SignalReceipt"


def epoch_ms(at: datetime) -> int:
    """An aware instant as Avro `timestamp-millis`."""
    return (at - EPOCH) // timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


@dataclass(frozen=True)
class OutboxEntry:
    """A message ready to send: contract, topic, key, CloudEvents type and the Avro record."""

    message_id: str
    contract: str
    topic: str
    key: str
    ce_type: str
    payload: dict[str, Any]

    def row(self, created_at: datetime) -> dict[str, Any]:
        """The `outbox` row (not yet published)."""
        return {
            "message_id": self.message_id,
            "contract": self.contract,
            "topic": self.topic,
            "key": self.key,
            "ce_type": self.ce_type,
            "payload": self.payload,
            "created_at": created_at,
        }


class CaseLike(Protocol):
    """What an alert is made of: the store's `Case` and intake's `CaseRow` both fit."""

    @property
    def id(self) -> str: ...
    @property
    def number(self) -> str | None: ...
    @property
    def region_code(self) -> str: ...
    @property
    def municipality_code(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def priority_level(self) -> str: ...
    @property
    def priority_score(self) -> int: ...
    @property
    def priority_rules(self) -> list[Any]: ...
    @property
    def agencies(self) -> list[Any]: ...
    @property
    def ack_deadline(self) -> datetime | None: ...


def _rule_code(rule: Any) -> str:
    return str(rule.get("code", "")) if isinstance(rule, dict) else str(rule)


def case_alert(
    case: CaseLike,
    alert_type: AlertType,
    *,
    topic: str,
    cause: str,
    children: list[date | None],
    now: datetime,
    detail: str | None = None,
) -> OutboxEntry:
    """The alert about `case` as it stands; `cause` makes its id; `detail` holds no personal data."""
    assert case.number is not None, "a case is numbered before its alerts are built"
    ident = alert_id(case.id, alert_type, cause)
    payload = {
        "alert_id": ident,
        "alert_type": alert_type.value,
        "case_id": case.id,
        "case_number": case.number,
        "region_code": case.region_code,
        "municipality_code": case.municipality_code,
        "priority": case.priority_level,
        "priority_score": int(case.priority_score),
        "priority_rules": [_rule_code(r) for r in case.priority_rules or []],
        "case_status": case.status,
        "ack_deadline": epoch_ms(case.ack_deadline) if case.ack_deadline is not None else None,
        "agencies": [str(a) for a in case.agencies or []],
        "children_count": len(children),
        "youngest_child_age_months": youngest_age_months(tuple(children), now.date()),
        "created_at": epoch_ms(now),
        "detail": detail,
    }
    return OutboxEntry(ident, CASE_ALERT, topic, case.id, f"signalhub.alert.{alert_type.value}", payload)


def signal_receipt(
    *,
    topic: str,
    receipt_id: str,
    agency: str,
    event_id: str | None,
    source_record_id: str | None,
    status: ReceiptStatus,
    now: datetime,
    case_number: str | None = None,
    corroborated: bool = False,
    reason: str | None = None,
    error_field: str | None = None,
    source: tuple[str, int, int] | None = None,
    source_key: str | None = None,
) -> OutboxEntry:
    """The receipt of one message on an agency's topic (keyed by the agency's record, else the
    producer's key); `source` (topic, partition, offset) and the producer's key let the sender
    match it to what it sent even when the bytes could not be read."""
    topic_read, partition, offset = source or (None, None, None)
    payload = {
        "receipt_id": receipt_id,
        "event_id": event_id or "",
        "agency": agency,
        "source_record_id": source_record_id,
        "status": status.value,
        "case_number": case_number,
        "corroborated": corroborated,
        "reason": reason,
        "error_field": error_field,
        "processed_at": epoch_ms(now),
        "source_topic": topic_read,
        "source_partition": partition,
        "source_offset": offset,
        "source_key": source_key,
    }
    key = source_record_id or source_key or event_id or receipt_id
    return OutboxEntry(receipt_id, SIGNAL_RECEIPT, topic, key, f"signalhub.receipt.{status.value}", payload)
