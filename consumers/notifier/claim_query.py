"""The notifier's claim, built once: due rows of a channel, oldest first, each the earliest
pending row of its case (so each case keeps its order), leased for the worker that claims them.

It reads the heads of the cases' queues only: a recursive walk steps from one case of the channel
to the next (`min(case_id) > previous`, a probe of the (channel, case_id, id) index of pending
rows, migration 0009) and takes each case's earliest row (another probe). Scanning the channel's
pending rows in order and dropping those with an earlier row of their case read every row behind
the heads: 12 100 rows to claim the heads of 100 cases with 60 alerts waiting each, and all of
them on every pass while the heads wait for a retry.

The statements are built here once, with bound parameters: built per claim, this one cost the
worker 4.4 ms of CPU each time (2.1 ms the simpler claim before it), mostly in SQLAlchemy.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Integer, Select, String, Table, bindparam, func, literal, select, update

from signalhub.store.base import UtcDateTime
from signalhub.store.messaging import Delivery

__all__ = ["CLAIMED", "CLAIM_POSTGRES", "DUE", "LEASE", "PENDING", "TABLE"]

# Core, not the ORM: loading the claimed rows as mapped objects cost the worker about 0.1 ms each.
TABLE = cast(Table, Delivery.__table__)
CLAIMED = (TABLE.c.id, TABLE.c.alert_id, TABLE.c.case_id, TABLE.c.alert, TABLE.c.attempts)

PENDING = "pending"
# The status is written into the statement, not sent as a parameter: PostgreSQL settles on a
# generic plan for a statement run often (psycopg prepares it), and a generic plan can use the
# partial index on pending rows only when the statement itself says `status = 'pending'`. With a
# parameter the soak's claim fell to a plan that took minutes over 13 000 pending rows.
_PENDING = literal(PENDING, literal_execute=True)
_CHANNEL = bindparam("of_channel", type_=String())
_NOW = bindparam("due_at", type_=UtcDateTime())


def _due(*, postgres: bool) -> Select[Any]:
    t, later, earliest = TABLE, TABLE.alias(), TABLE.alias()
    first = select(func.min(t.c.case_id).label("case_id")).where(
        t.c.channel == _CHANNEL, t.c.status == _PENDING
    )
    cases = first.cte("cases", recursive=True)
    after = (
        select(func.min(later.c.case_id))
        .where(later.c.channel == _CHANNEL, later.c.status == _PENDING, later.c.case_id > cases.c.case_id)
        .scalar_subquery()
    )
    cases = cases.union_all(select(after).where(cases.c.case_id.is_not(None)))
    head = (
        select(func.min(earliest.c.id))
        .where(
            earliest.c.channel == _CHANNEL,
            earliest.c.status == _PENDING,
            earliest.c.case_id == cases.c.case_id,
        )
        .scalar_subquery()
    )
    heads = select(head).where(cases.c.case_id.is_not(None)).scalar_subquery()
    # On PostgreSQL the heads are an array the primary key is probed with: as `IN` or a join, a
    # plan made without statistics hashed them against a scan of every row of the table.
    among_heads = t.c.id == func.any(func.array(heads)) if postgres else t.c.id.in_(heads)
    return (
        select(t.c.id)
        .where(among_heads, t.c.status == _PENDING, t.c.next_attempt_at <= _NOW)
        .order_by(t.c.id)
        .limit(bindparam("at_most", type_=Integer()))
    )


LEASE = update(TABLE).values(next_attempt_at=bindparam("leased_until", type_=UtcDateTime()))
# PostgreSQL: one statement, UPDATE ... FROM (the due rows, locked, skipping locked) RETURNING.
# Joined to a CTE, not `id IN (subquery)`: with a tiny row estimate the IN was planned as a scan
# of the table compared with every locked id.
_LOCKED = _due(postgres=True).with_for_update(skip_locked=True, of=TABLE).cte("due")
CLAIM_POSTGRES = LEASE.where(TABLE.c.id == _LOCKED.c.id).returning(*CLAIMED)
DUE = _due(postgres=False)  # elsewhere (SQLite): the due ids, then LEASE by id
