"""Login rate limit: at most N failures per (username, client address), and at most M per client
address over all usernames (spraying many usernames), in a sliding window.

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from signalhub.store.workplace import LoginFailure


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LoginKeys:
    """The two counters one attempt touches: its (username, address) pair and its address."""

    pair: str
    address: str


class LoginLimiter:
    """Counts failures in the caller's session; the caller commits (with its audit entry)."""

    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], datetime] = _utcnow,
        *,
        max_per_address: int | None = None,
    ) -> None:
        self._max = max_failures
        self._max_per_address = max_per_address if max_per_address is not None else 4 * max_failures
        self._window = timedelta(seconds=window_s)
        self._clock = clock

    @staticmethod
    def keys(username: str, address: str) -> LoginKeys:
        pair = hashlib.sha256(f"{username.casefold()}\x00{address}".encode()).hexdigest()
        return LoginKeys(pair, hashlib.sha256(f"\x01{address}".encode()).hexdigest())

    def blocked(self, session: Session, keys: LoginKeys) -> bool:
        """True while the pair or the address has used up its failures in the current window."""
        return self._count(session, keys.pair) >= self._max or (
            self._count(session, keys.address) >= self._max_per_address
        )

    def failed(self, session: Session, keys: LoginKeys) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.at <= self._horizon()))
        now = self._clock()
        session.add_all([LoginFailure(key=keys.pair, at=now), LoginFailure(key=keys.address, at=now)])

    def succeeded(self, session: Session, keys: LoginKeys) -> None:
        """A right password clears its pair's failures, not the address's: one account an attacker
        owns must not reset the count of the usernames they spray."""
        session.execute(delete(LoginFailure).where(LoginFailure.key == keys.pair))

    def _count(self, session: Session, key: str) -> int:
        recent = (
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.key == key, LoginFailure.at > self._horizon())
        )
        return session.scalar(recent) or 0

    def _horizon(self) -> datetime:
        return self._clock() - self._window
