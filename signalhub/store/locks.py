"""Transaction-scoped advisory locks that serialise intake processes touching the same people.

On PostgreSQL, `lock(conn, names)` takes `pg_advisory_xact_lock` on a 64-bit hash of every name,
in sorted order (a global order, so two processes can never wait on each other in a cycle as long
as each takes its locks in ascending batches); the locks are released when the transaction ends.
On SQLite it does nothing: SQLite already lets one writer at a time in.

Names are hashed into `BUCKETS` lock ids: PostgreSQL keeps every advisory lock in its shared lock
table (`max_locks_per_transaction` x connections, 6 400 by default), and a batch of 1 000 signals
has ~25 000 blocking keys. Two names sharing a bucket only make two batches wait for each other;
the price is that large batches of concurrent processes mostly serialise on the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT

__all__ = ["BUCKETS", "lock", "lock_id"]

BUCKETS = 512

_LOCK = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(:ids) WITH ORDINALITY AS t(k, n)"
).bindparams(bindparam("ids", type_=ARRAY(BIGINT)))


def lock_id(name: str, space: int = 0) -> int:
    """The lock id (bucket) of `name` in `space`: collisions only make two names share a lock.
    Spaces do not overlap and are ordered, so locks of space 0 always come before those of 1."""
    return (
        space * BUCKETS
        + int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") % BUCKETS
    )


def lock(conn: Connection, names: Iterable[str], space: int = 0) -> int:
    """Lock every name (sorted by id), returning how many locks were taken (0 on SQLite).

    Take space 0 (blocking keys, records) before space 1 (families) to keep the global order."""
    if conn.dialect.name != "postgresql":
        return 0
    ids = sorted({lock_id(n, space) for n in names})
    if ids:
        conn.execute(_LOCK, {"ids": ids})
    return len(ids)
