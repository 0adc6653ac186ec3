"""Expired login sessions: their rows are deleted a day after they expired.

A session's token is refused from its expiry on (the API checks `expires_at`), so the row is of no
use after that; the day's margin keeps the cleanup clear of any clock skew between the processes.
Ended sessions (logout, revocation) have no row left to clean: ending a session deletes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from signalhub.store.workplace import UserSession

KEEP_EXPIRED = timedelta(days=1)


def remove_expired_sessions(session: Session, now: datetime) -> int:
    """Delete the sessions that expired more than a day before `now`; returns how many."""
    result = session.execute(delete(UserSession).where(UserSession.expires_at < now - KEEP_EXPIRED))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
