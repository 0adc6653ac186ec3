"""What a batch sends: a `SignalReceipt` per message and the `CaseAlert`s its signals raised, as
outbox rows built by the one builder of each (`signalhub.domain.outbound`), once case numbers
are known. Receipts name the surviving case of a merge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from signalhub.domain.case_merge import surviving
from signalhub.domain.intake_rules import receipt_id
from signalhub.domain.outbound import case_alert, signal_receipt
from signalhub.domain.vocabulary import AlertType, ReceiptStatus
from signalhub.settings import KafkaSettings
from signalhub.store.intake_rows import CaseRow

__all__ = ["AlertIntent", "ReceiptIntent", "render"]


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
    source_key: str | None = None


@dataclass(frozen=True)
class AlertIntent:
    """An alert a signal raised on a case: `cause` (`agency/event id`: ids are the agency's) makes its id; `detail` codes only."""

    case_id: str
    alert_type: AlertType
    cause: str
    detail: str


def render(
    kafka: KafkaSettings,
    receipts: Sequence[ReceiptIntent],
    alerts: Sequence[AlertIntent],
    cases: dict[str, CaseRow],
    children: dict[str, dict[str, date | None]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Outbox rows of a batch: its receipts, then its alerts."""
    rows = []
    for r in receipts:
        case = cases[surviving(r.case_id, lambda c: cases[c].merged_into)] if r.case_id else None
        entry = signal_receipt(
            topic=kafka.receipt_topic(r.agency),
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
            source=r.position,
            source_key=r.source_key,
        )
        rows.append(entry.row(now))
    for a in alerts:
        entry = case_alert(
            cases[a.case_id],
            a.alert_type,
            topic=kafka.alert_topic,
            cause=a.cause,
            children=list(children.get(a.case_id, {}).values()),
            now=now,
            detail=a.detail,
        )
        rows.append(entry.row(now))
    return rows
