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

from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, func, literal, select, update
from sqlalchemy.orm import aliased

from signalhub.store.base import UtcDateTime
from signalhub.store.messaging import Delivery

__all__ = ["CLAIM_POSTGRES", "DUE", "LEASE", "PENDING"]

PENDING = "pending"
# The status is written into the statement, not sent as a parameter: PostgreSQL settles on a
# generic plan for a statement run often (psycopg prepares it), and a generic plan can use the
# partial index on pending rows only when the statement itself says `status = 'pending'`. With a
# parameter the soak's claim fell to a plan that took minutes over 13 000 pending rows.
_PENDING = literal(PENDING, literal_execute=True)
_CHANNEL = bindparam("of_channel", type_=String())
_NOW = bindparam("due_at", type_=UtcDateTime())


def _due(*, postgres: bool) -> Select[Any]:
    first = select(func.min(Delivery.case_id).label("case_id")).where(
        Delivery.channel == _CHANNEL, Delivery.status == _PENDING
    )
    cases = first.cte("cases", recursive=True)
    later = aliased(Delivery)
    after = (
        select(func.min(later.case_id))
        .where(later.channel == _CHANNEL, later.status == _PENDING, later.case_id > cases.c.case_id)
        .scalar_subquery()
    )
    cases = cases.union_all(select(after).where(cases.c.case_id.is_not(None)))
    earliest = aliased(Delivery)
    head = (
        select(func.min(earliest.id))
        .where(earliest.channel == _CHANNEL, earliest.status == _PENDING, earliest.case_id == cases.c.case_id)
        .scalar_subquery()
    )
    heads = select(head).where(cases.c.case_id.is_not(None)).scalar_subquery()
    # On PostgreSQL the heads are an array the primary key is probed with: as `IN` or a join, a
    # plan made without statistics hashed them against a scan of every row of the table.
    among_heads = Delivery.id == func.any(func.array(heads)) if postgres else Delivery.id.in_(heads)
    return (
        select(Delivery.id)
        .where(among_heads, Delivery.status == _PENDING, Delivery.next_attempt_at <= _NOW)
        .order_by(Delivery.id)
        .limit(bindparam("at_most", type_=Integer()))
    )


LEASE = update(Delivery).values(next_attempt_at=bindparam("leased_until", type_=UtcDateTime()))
# PostgreSQL: one statement, UPDATE ... FROM (the due rows, locked, skipping locked) RETURNING.
# Joined to a CTE, not `id IN (subquery)`: with a tiny row estimate the IN was planned as a scan
# of the table compared with every locked id.
_LOCKED = _due(postgres=True).with_for_update(skip_locked=True, of=Delivery).cte("due")
CLAIM_POSTGRES = (
    LEASE.where(Delivery.id == _LOCKED.c.id).returning(Delivery).execution_options(synchronize_session=False)
)
DUE = _due(postgres=False)  # elsewhere (SQLite): the due ids, then LEASE by id
