"""Login rate limit: at most N failures per (username, client address) in a sliding window.

The failures are rows of `login_failures` in the shared database, so every API process counts the
same failures: N failures in all, however many processes serve the logins. Keys are SHA-256
digests, so usernames and addresses are not held in clear. Each failure also deletes the rows
that have left the window (of every key), so the table holds one window's failures at most.

Two concurrent attempts may both pass `blocked` before either records its failure: the bound is
N plus the attempts in flight at that moment, as it was in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from signalhub.store.workplace import LoginFailure


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LoginLimiter:
    """Counts failures in the caller's session; the caller commits (with its audit entry)."""

    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], datetime] = _utcnow) -> None:
        self._max = max_failures
        self._window = timedelta(seconds=window_s)
        self._clock = clock

    @staticmethod
    def key(username: str, address: str) -> str:
        return hashlib.sha256(f"{username.casefold()}\x00{address}".encode()).hexdigest()

    def blocked(self, session: Session, key: str) -> bool:
        """True while the key has used up its failures in the current window."""
        recent = (
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == key, LoginFailure.at > self._horizon())
        )
        return (session.scalar(recent) or 0) >= self._max

    def failed(self, session: Session, key: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= self._horizon()))
        session.add(LoginFailure(key=key, at=self._clock()))

    def succeeded(self, session: Session, key: str) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.key == key))

    def _horizon(self) -> datetime:
        return self._clock() - self._window
