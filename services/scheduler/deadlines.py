"""Acknowledgement deadlines -> `ack_overdue` alerts (escalated to the coordinator).

A case still `new` (nobody acknowledged it) past `opened_at + deadline(priority)` raises one
alert per deadline: the deadline is the alert's cause, so a changed priority (a new deadline)
raises a new alert, and the same deadline never raises two.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduler.alerts import raise_once
from signalhub.domain.priority import AckDeadlines
from signalhub.domain.vocabulary import AlertType, PriorityLevel
from signalhub.store.cases import Case


def deadline_of(case: Case, deadlines: AckDeadlines) -> datetime:
    return case.opened_at + deadlines.of(PriorityLevel(case.priority_level))


def overdue_acks(
    session: Session, now: datetime, deadlines: AckDeadlines, topic: str
) -> tuple[int, Counter[str]]:
    """Raise the alerts that are due; returns (alerts added, overdue cases by priority)."""
    earliest = now - min(deadlines.urgent, deadlines.high, deadlines.normal)
    cases = session.scalars(
        select(Case)
        .where(Case.status == "new", Case.acknowledged_at.is_(None), Case.opened_at <= earliest)
        .order_by(Case.opened_at)
    )
    added = 0
    overdue: Counter[str] = Counter()
    for case in cases:
        deadline = deadline_of(case, deadlines)
        if deadline > now:
            continue
        overdue[case.priority_level] += 1
        stamp = deadline.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        added += raise_once(
            session,
            case,
            AlertType.ACK_OVERDUE,
            topic=topic,
            discriminator=f"deadline={stamp}",
            now=now,
            detail=f"эскалация координатору; срок принятия в работу истёк {stamp}",
        )
    return added, overdue
