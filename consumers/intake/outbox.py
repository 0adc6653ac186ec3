"""Outbox rows of intake: `SignalReceipt` and `CaseAlert` records ready for the relay.

`payload` is the Avro record as JSON (timestamps as epoch milliseconds, which the codec accepts
for `timestamp-millis`), so `Codec(contract).encode(payload)` works unchanged. Neither contract
carries personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from signalhub.domain.case_merge import surviving
from signalhub.domain.intake_rules import receipt_id
from signalhub.domain.vocabulary import AlertType, ReceiptStatus
from signalhub.settings import KafkaSettings
from signalhub.store.alerts_repo import build_case_alert
from signalhub.store.intake_rows import CaseRow

__all__ = ["ReceiptIntent", "alert_row", "millis", "receipt_row", "render"]


def millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def receipt_row(
    kafka: KafkaSettings,
    *,
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
) -> dict[str, Any]:
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
        "processed_at": millis(now),
    }
    return {
        "message_id": receipt_id,
        "contract": "SignalReceipt",
        "topic": kafka.receipt_topic(agency),
        "key": source_record_id or event_id or receipt_id,
        "ce_type": f"signalhub.receipt.{status.value}",
        "payload": payload,
        "created_at": now,
        "published_at": None,
    }


def alert_row(
    kafka: KafkaSettings,
    case: CaseRow,
    alert_type: AlertType,
    cause: str,
    children: dict[str, date | None],
    now: datetime,
    detail: str,
) -> dict[str, Any]:
    """The alert; `case.number` must be set (numbers are given just before rows are rendered)."""
    payload = build_case_alert(
        case, alert_type, discriminator=cause, children=list(children.values()), now=now, detail=detail
    )
    ident = payload["alert_id"]
    return {
        "message_id": ident,
        "contract": "CaseAlert",
        "topic": kafka.alert_topic,
        "key": case.id,
        "ce_type": f"signalhub.alert.{alert_type.value}",
        "payload": payload,
        "created_at": now,
        "published_at": None,
    }


@dataclass(frozen=True)
class ReceiptIntent:
    """The receipt a message will get; rendered once case numbers are known."""

    position: tuple[str, int, int]
    agency: str
    event_id: str | None
    source_record_id: str | None
    status: ReceiptStatus
    case_id: str | None = None
    corroborated: bool = False
    reason: str | None = None
    error_field: str | None = None


def render(
    kafka: KafkaSettings,
    receipts: Sequence[ReceiptIntent],
    alerts: Sequence[tuple[str, AlertType, str, str]],
    cases: dict[str, CaseRow],
    children: dict[str, dict[str, date | None]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Outbox rows of a batch: a receipt per message (naming the surviving case of a merge) and
    the alerts (case id, type, cause, detail)."""
    rows = []
    for r in receipts:
        case = cases[surviving(r.case_id, lambda c: cases[c].merged_into)] if r.case_id else None
        rows.append(
            receipt_row(
                kafka,
                receipt_id=receipt_id(*r.position),
                agency=r.agency,
                event_id=r.event_id,
                source_record_id=r.source_record_id,
                status=r.status,
                now=now,
                case_number=case.number if case else None,
                corroborated=r.corroborated,
                reason=r.reason,
                error_field=r.error_field,
            )
        )
    for case_id, alert_type, cause, detail in alerts:
        rows.append(
            alert_row(kafka, cases[case_id], alert_type, cause, children.get(case_id, {}), now, detail)
        )
    return rows
