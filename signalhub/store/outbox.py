"""Writing messages to the outbox (intake's batches, the workplace, the scheduler): the one rule
that a message id already pending or already sent is not written again (ids are stable, so a rule
firing twice writes one message), and the NOTIFY that wakes the relay when the writer commits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, select, union_all

from signalhub.store.bulk import insert_ignore
from signalhub.store.intake_reads import CHUNK, chunks
from signalhub.store.messaging import OutboxMessage, OutboxSent
from signalhub.store.wake import OUTBOX, notify

__all__ = ["enqueue_rows", "known"]

_outbox, _sent = cast(Table, OutboxMessage.__table__), cast(Table, OutboxSent.__table__)


# Sent unprepared (`prepare=False`), so PostgreSQL plans it with the ids in hand every time: a
# prepared statement's generic plan, made while the tables were empty (a new hub, every benchmark
# run), scans `outbox_sent` comparing each row with each id (EXPLAIN ANALYZE: 78 ms for 160 ids
# over 12 000 rows) and is kept until autovacuum's next ANALYZE; the custom plan hashes the ids
# or probes the unique index (about 1 ms).
_KNOWN = (
    "SELECT message_id FROM outbox WHERE message_id = ANY(%(ids)s)"
    " UNION ALL SELECT message_id FROM outbox_sent WHERE message_id = ANY(%(ids)s)"
)


def known(conn: Connection, message_ids: Iterable[str]) -> set[str]:
    """The ids among `message_ids` that are in the outbox or were sent (one snapshot: a row
    moving from one table to the other is seen in exactly one)."""
    ids, found = sorted(set(message_ids)), set[str]()
    if ids and conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cur:
            cur.execute(_KNOWN, {"ids": ids}, prepare=False)
            return {str(row[0]) for row in cur}
    for part in chunks(ids, CHUNK):
        stmt = union_all(
            select(_outbox.c.message_id).where(_outbox.c.message_id.in_(part)),
            select(_sent.c.message_id).where(_sent.c.message_id.in_(part)),
        )
        found.update(conn.scalars(stmt))
    return found


def enqueue_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the `outbox` rows not known yet (a concurrent writer of the same id loses quietly)
    and wake the relay when the caller's transaction commits."""
    if rows:
        insert_ignore(conn, _outbox, rows, ["message_id"], unless_in=_sent)
        notify(conn, OUTBOX)
