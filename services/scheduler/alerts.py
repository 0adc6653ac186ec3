"""Raising the scheduler's alerts through the store's one CaseAlert builder, race-free.

Two schedulers may decide on the same alert at once; the outbox's unique `message_id` lets only
one insert win, and the loser's insert is undone in a savepoint, so its pass goes on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from signalhub.domain.vocabulary import AlertType
from signalhub.store.alerts_repo import raise_case_alert
from signalhub.store.cases import Case


def raise_once(
    session: Session,
    case: Case,
    alert_type: AlertType,
    *,
    topic: str,
    discriminator: str,
    now: datetime,
    detail: str,
) -> bool:
    """Put the alert in the outbox unless it is there already; True when this call added it."""
    try:
        with session.begin_nested():
            added = raise_case_alert(
                session, case, alert_type, topic=topic, discriminator=discriminator, now=now, detail=detail
            )
            session.flush()
    except IntegrityError:
        return False
    return added
