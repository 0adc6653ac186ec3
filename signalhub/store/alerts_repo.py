"""Building `CaseAlert` payloads and writing them to the outbox, in the caller's transaction.

The one place that knows the alert's shape (schemas/avro/CaseAlert). Payloads are stored as the
Avro record itself, timestamps as epoch milliseconds, so the relay encodes them unchanged with
`Codec("CaseAlert")`. An alert carries no names: only counts, codes and the case reference.

`alert_id` is `signalhub.domain.intake_rules.alert_id` (UUIDv5 of case id, alert type, cause), the
same function intake uses: the same rule firing twice for the same cause writes one outbox row
(`message_id` is unique) and receivers deduplicate on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from signalhub.domain.intake_rules import alert_id
from signalhub.domain.priority import youngest_age_months
from signalhub.domain.vocabulary import AlertType
from signalhub.store.cases import Case
from signalhub.store.messaging import OutboxMessage
from signalhub.store.registry import Person, Signal, SignalPerson

CONTRACT = "CaseAlert"


def _millis(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp() * 1000)


def _rule_code(rule: Any) -> str:
    if isinstance(rule, dict):
        return str(rule.get("code", ""))
    return str(rule)


class CaseLike(Protocol):
    """What an alert is made of: the ORM `Case` and intake's `CaseRow` both fit."""

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


def children_birth_dates(session: Session, case_id: str) -> list[date | None]:
    """Birth dates of the distinct children named in the case's signals."""
    rows = session.execute(
        select(Person.id, Person.birth_date)
        .join(SignalPerson, SignalPerson.person_id == Person.id)
        .join(Signal, Signal.id == SignalPerson.signal_id)
        .where(Signal.case_id == case_id, SignalPerson.role == "child")
        .distinct()
    ).all()
    return [born for _pid, born in rows]


def build_case_alert(
    case: CaseLike,
    alert_type: AlertType,
    *,
    discriminator: str,
    children: list[date | None],
    now: datetime,
    detail: str | None = None,
) -> dict[str, Any]:
    """The CaseAlert record for `case` as it stands; `detail` must hold no personal data."""
    assert case.number is not None, "a case is numbered before its alerts are built"
    return {
        "alert_id": alert_id(case.id, alert_type, discriminator),
        "alert_type": alert_type.value,
        "case_id": case.id,
        "case_number": case.number,
        "region_code": case.region_code,
        "municipality_code": case.municipality_code,
        "priority": case.priority_level,
        "priority_score": int(case.priority_score),
        "priority_rules": [_rule_code(r) for r in case.priority_rules or []],
        "case_status": case.status,
        "ack_deadline": _millis(case.ack_deadline) if case.ack_deadline is not None else None,
        "agencies": [str(a) for a in case.agencies or []],
        "children_count": len(children),
        "youngest_child_age_months": youngest_age_months(tuple(children), now.date()),
        "created_at": _millis(now),
        "detail": detail,
    }


def enqueue_alert(session: Session, topic: str, payload: dict[str, Any], now: datetime) -> bool:
    """Add the alert to the outbox unless an alert with its id is already there; True if added."""
    exists = session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == payload["alert_id"]))
    if exists is not None:
        return False
    session.add(
        OutboxMessage(
            message_id=payload["alert_id"],
            contract=CONTRACT,
            topic=topic,
            key=payload["case_id"],
            ce_type=f"signalhub.alert.{payload['alert_type']}",
            payload=payload,
            created_at=now,
            published_at=None,
        )
    )
    return True


def raise_case_alert(
    session: Session,
    case: Case,
    alert_type: AlertType,
    *,
    topic: str,
    discriminator: str,
    now: datetime,
    detail: str | None = None,
) -> bool:
    """Build the case's alert (children counted from the store) and put it in the outbox."""
    payload = build_case_alert(
        case,
        alert_type,
        discriminator=discriminator,
        children=children_birth_dates(session, case.id),
        now=now,
        detail=detail,
    )
    return enqueue_alert(session, topic, payload, now)
