"""The relay's queries on the `outbox` table (which holds only messages not yet published).

`claim` locks a batch of rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so relays running side by
side take disjoint batches) and keeps per-key order: a row is returned only if every earlier row
of its key is in the same batch. The lock lasts until the caller's transaction ends, i.e. until
the rows are moved to `outbox_sent` or the batch is abandoned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Row, Table, bindparam, func, select
from sqlalchemy.orm import Session

from signalhub.store.base import UtcDateTime
from signalhub.store.bulk import RowMove
from signalhub.store.messaging import OutboxMessage, OutboxSent

_OUTBOX = cast(Table, OutboxMessage.__table__)
# Core rows, not mapped objects: loading rows as `OutboxMessage` cost about 0.1 ms each, two
# messages per signal (its receipt and its alert).
_OLDEST = select(*_OUTBOX.c).order_by(_OUTBOX.c.id).limit(bindparam("at_most", type_=Integer()))


def claim(session: Session, limit: int, *, skip_locked: bool) -> list[Row[Any]]:
    """Up to `limit` rows (the outbox's columns), oldest first, locked for this transaction when
    `skip_locked`."""
    stmt = _OLDEST.with_for_update(skip_locked=True) if skip_locked else _OLDEST
    rows = list(session.connection().execute(stmt, {"at_most": limit}).all())
    if not rows:
        return rows
    return _heads_in_order(session, rows)


def _heads_in_order(session: Session, rows: list[Row[Any]]) -> list[Row[Any]]:
    """Drop rows that would overtake an earlier row of their key held by another relay."""
    mine = {row.id for row in rows}
    earlier: dict[str, list[int]] = defaultdict(list)
    stmt = (
        select(OutboxMessage.key, OutboxMessage.id)
        .where(OutboxMessage.key.in_({row.key for row in rows}))
        .where(OutboxMessage.id <= max(mine))
        .order_by(OutboxMessage.id)
    )
    for key, row_id in session.execute(stmt):
        earlier[key].append(row_id)
    allowed: set[int] = set()
    for ids in earlier.values():
        for row_id in ids:
            if row_id not in mine:
                break
            allowed.add(row_id)
    return [row for row in rows if row.id in allowed]


_PUBLISHED = RowMove(
    (OutboxMessage, OutboxSent),
    lambda _moved: {"published_at": bindparam("published_at", type_=UtcDateTime())},
)


def mark_published(session: Session, ids: Sequence[int], at: datetime) -> None:
    """Move the rows to `outbox_sent` (ids and times; the messages themselves are not kept)."""
    _PUBLISHED.run(session.connection(), ids, published_at=at)


def pending_count(session: Session) -> int:
    """Rows not yet published: the whole (small) hot table."""
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
