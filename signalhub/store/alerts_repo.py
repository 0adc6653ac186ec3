"""Writing `CaseAlert`s of stored cases to the outbox, in the caller's transaction (the workplace
and the scheduler). The alert itself is built by `signalhub.domain.outbound.case_alert`, the one
builder intake uses too; here its children are counted from the store."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from signalhub.domain.outbound import OutboxEntry, case_alert
from signalhub.domain.vocabulary import AlertType
from signalhub.store.cases import Case
from signalhub.store.messaging import OutboxMessage
from signalhub.store.outbox import known
from signalhub.store.registry import Person, Signal, SignalPerson
from signalhub.store.wake import OUTBOX, notify


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


def enqueue(session: Session, entry: OutboxEntry, now: datetime) -> bool:
    """Add the message to the outbox unless a message with its id is pending or was sent; True if
    added. The relay is woken when the caller's transaction commits."""
    conn = session.connection()
    if known(conn, [entry.message_id]):
        return False
    session.add(OutboxMessage(**entry.row(now)))
    notify(conn, OUTBOX)
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
    entry = case_alert(
        case,
        alert_type,
        topic=topic,
        cause=discriminator,
        children=children_birth_dates(session, case.id),
        now=now,
        detail=detail,
    )
    return enqueue(session, entry, now)
