"""Acknowledgement deadlines -> `ack_overdue` alerts (escalated to the coordinator).

A case still `new` (nobody acknowledged it) past its `ack_deadline` (set by intake from the
priority, moved earlier when the priority rises; the deadline the workplace counts down to) raises
one alert per deadline: the deadline is the alert's cause, so a new deadline raises a new alert,
and the same deadline never raises two.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduler.alerts import raise_once
from signalhub.domain.case_deadlines import is_ack_overdue
from signalhub.domain.cases import CaseStatus
from signalhub.domain.vocabulary import AlertType
from signalhub.store.cases import Case


def overdue_acks(session: Session, now: datetime, topic: str) -> tuple[int, Counter[str]]:
    """Raise the alerts that are due; returns (alerts added, overdue cases by priority)."""
    cases = session.scalars(
        select(Case)
        .where(Case.status == CaseStatus.NEW.value, Case.acknowledged_at.is_(None), Case.ack_deadline <= now)
        .order_by(Case.ack_deadline, Case.id)
    )
    added = 0
    overdue: Counter[str] = Counter()
    for case in cases:
        deadline = case.ack_deadline
        assert deadline is not None
        if not is_ack_overdue(CaseStatus(case.status), case.acknowledged_at, deadline, now):
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
