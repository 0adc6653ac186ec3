"""Writing messages to the outbox (intake's batches, the workplace, the scheduler): the one rule
that a message id already pending or already sent is not written again (ids are stable, so a rule
firing twice writes one message), and the NOTIFY that wakes the relay when the writer commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, select, union_all

from signalhub.store.bulk import insert_ignore
from signalhub.store.intake_reads import chunk_size, chunks, in_
from signalhub.store.messaging import OutboxMessage, OutboxSent
from signalhub.store.wake import OUTBOX, notify

__all__ = ["enqueue_rows", "known"]

_outbox, _sent = cast(Table, OutboxMessage.__table__), cast(Table, OutboxSent.__table__)


def known(conn: Connection, message_ids: Iterable[str]) -> set[str]:
    """The ids among `message_ids` that are in the outbox or were sent (one snapshot: a row
    moving from one table to the other is seen in exactly one)."""
    ids, found = sorted(set(message_ids)), set[str]()
    for part in chunks(ids, chunk_size(conn, ids)):
        stmt = union_all(
            select(_outbox.c.message_id).where(in_(conn, _outbox.c.message_id, part)),
            select(_sent.c.message_id).where(in_(conn, _sent.c.message_id, part)),
        )
        found.update(conn.scalars(stmt))
    return found


def enqueue_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the `outbox` rows not known yet (a concurrent writer of the same id loses quietly)
    and wake the relay when the caller's transaction commits."""
    if not rows:
        return
    seen = known(conn, (r["message_id"] for r in rows))
    insert_ignore(conn, _outbox, [r for r in rows if r["message_id"] not in seen], ["message_id"])
    notify(conn, OUTBOX)
