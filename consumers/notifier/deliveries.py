"""The delivery log: `deliveries` holds what is still to send, `deliveries_done` what was sent.

Statuses in `deliveries`: `pending` (due at `next_attempt_at`), `parked` (retries exhausted or a
permanent refusal; an operator requeues it); a delivered row moves to `deliveries_done` in the
transaction that records it. Order per case: a row is due only when no earlier pending row of the
same case and channel exists, so a channel that comes back receives a case's alerts in the order
they were recorded. A claimed row is leased (`next_attempt_at` moved past the lease) so that
workers running side by side never send it at the same time; the worker renews the lease while it
sends (`renew`), so the lease can be short and a worker that dies leaves its rows to be retried
within one lease. Writes that make work (`record`, `requeue`) NOTIFY the workers.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from consumers.notifier.claim_query import CLAIM_POSTGRES, CLAIMED, DUE, LEASE, PENDING, TABLE
from signalhub.store.base import UtcDateTime
from signalhub.store.bulk import RowMove, insert_ignore
from signalhub.store.messaging import Delivery, DeliveryDone
from signalhub.store.wake import DELIVERIES, notify

PARKED = "parked"
_DONE = cast(Table, DeliveryDone.__table__)


def record(session: Session, routed: Sequence[tuple[dict[str, Any], Sequence[str]]], now: datetime) -> None:
    """One pending row per alert and channel (one statement on PostgreSQL); an alert seen again
    (redelivery) adds nothing, whether its row is still to send or already delivered."""
    rows = [
        {
            "alert_id": str(alert["alert_id"]),
            "case_id": str(alert["case_id"]),
            "channel": channel,
            "alert": alert,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for alert, channels in routed
        for channel in channels
    ]
    if not rows:
        return
    conn = session.connection()
    insert_ignore(conn, TABLE, rows, ["alert_id", "channel"], unless_in=_DONE)
    notify(conn, DELIVERIES)


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker has leased to send."""

    id: int
    alert_id: str
    case_id: str
    alert: dict[str, Any]
    attempts: int


def claim(session: Session, channel: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    """Due rows of `channel`, oldest first, each the earliest pending of its case, leased until
    now+lease (`claim_query`: it reads the heads of the cases' queues, not the rows behind)."""
    params = {"of_channel": channel, "due_at": now, "at_most": limit, "leased_until": now + lease}
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(CLAIM_POSTGRES, params).all()
    else:
        ids = list(conn.scalars(DUE, params))
        if not ids:
            return []
        conn.execute(LEASE.where(TABLE.c.id.in_(ids)), params)
        rows = conn.execute(select(*CLAIMED).where(TABLE.c.id.in_(ids))).all()
    return sorted((Claimed(*row) for row in rows), key=lambda row: row.id)


def renew(session: Session, row_ids: Sequence[int], until: datetime) -> None:
    """Extend the lease of claimed rows still pending (a worker still sending them)."""
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(row_ids), Delivery.status == PENDING)
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )


_DELIVERED = RowMove(
    (Delivery, DeliveryDone),
    lambda moved: {
        "attempts": moved.attempts + 1,
        "delivered_at": bindparam("delivered_at", type_=UtcDateTime()),
    },
)


def delivered(session: Session, row_ids: Sequence[int], now: datetime) -> None:
    """Move the delivered rows to `deliveries_done`, counting the attempt that succeeded."""
    _DELIVERED.run(session.connection(), row_ids, delivered_at=now)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits base*2^(n-1), capped, times U(0.5, 1)."""

    base_s: float
    max_s: float
    max_attempts: int

    def delay(self, attempts: int, rng: random.Random) -> timedelta:
        ceiling = min(self.max_s, self.base_s * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=ceiling * rng.uniform(0.5, 1.0))


def failed(
    session: Session,
    row: Claimed,
    reason: str,
    *,
    retriable: bool,
    now: datetime,
    backoff: Backoff,
    rng: random.Random,
) -> bool:
    """Count the attempt; schedule the next one, or park the row. Returns True when parked."""
    attempts = row.attempts + 1
    park = not retriable or attempts >= backoff.max_attempts
    session.execute(
        update(Delivery)
        .where(Delivery.id == row.id)
        .values(
            attempts=attempts,
            last_error=reason[:500],
            status=PARKED if park else PENDING,
            next_attempt_at=None if park else now + backoff.delay(attempts, rng),
        )
    )
    return park


UNROUTED = "channel not in the routing file"


def park_unrouted(session: Session, channels: Sequence[str]) -> int:
    """Park the pending rows of channels the routing file no longer has (no worker would ever
    send them): they are counted and shown like any parked row, and `requeue` sends them once
    the channel is back. Returns how many were parked."""
    stmt = (
        update(Delivery)
        .where(Delivery.status == PENDING, Delivery.channel.not_in(channels))
        .values(status=PARKED, last_error=UNROUTED, next_attempt_at=None)
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def parked(session: Session, channel: str | None = None) -> list[Delivery]:
    stmt = select(Delivery).where(Delivery.status == PARKED).order_by(Delivery.id)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    return list(session.scalars(stmt))


def parked_counts(session: Session) -> dict[str, int]:
    stmt = select(Delivery.channel, func.count()).where(Delivery.status == PARKED).group_by(Delivery.channel)
    return {channel: int(n) for channel, n in session.execute(stmt)}


def requeue(
    session: Session, now: datetime, *, channel: str | None = None, alert_id: str | None = None
) -> int:
    """Parked rows (of one channel or one alert, or all) back to pending with fresh attempts."""
    stmt = update(Delivery).where(Delivery.status == PARKED)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    if alert_id:
        stmt = stmt.where(Delivery.alert_id == alert_id)
    result = session.execute(stmt.values(status=PENDING, attempts=0, next_attempt_at=now))
    notify(session.connection(), DELIVERIES)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
