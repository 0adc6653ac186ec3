"""Reads sent to PostgreSQL now and taken later: in a `signalhub.store.bulk.pipelined` block
several reads (and the locks that guard them) cost one round trip together. Each is sent
unprepared, so PostgreSQL plans it with its values in hand, never with a generic plan made while
the tables were empty (a scan that stays until autovacuum's next ANALYZE)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from psycopg import sql
from sqlalchemy import Connection

__all__ = ["by_pairs", "later", "utc"]


def later(conn: Connection, statement: str, params: Any, *, prepare: bool = False) -> Callable[[], list[Any]]:
    """PostgreSQL: send a read now (unprepared unless `prepare`), take its rows later. In a
    `pipelined` block, take them after the block: every statement of the block then costs one
    round trip together. `prepare` only for a statement whose plan the statistics cannot change."""
    driver = conn.connection.driver_connection
    assert driver is not None
    cur = driver.cursor()
    cur.execute(statement, params, prepare=prepare)

    def rows() -> list[Any]:
        with cur:
            return list(cur.fetchall())

    return rows


def by_pairs(
    conn: Connection, columns: Sequence[str], table: str, key: str, wanted: Collection[tuple[str, str]]
) -> Callable[[], list[Any]]:
    """PostgreSQL: rows (`columns`) of `table` whose (agency, `key`) is one of `wanted`, all
    agencies in one statement (one round trip, not one per agency: a batch names up to five);
    the pairs travel as two arrays. Unprepared, so it is planned with the pairs in hand (a nested
    loop over the (agency, key) index), never with a generic plan made while the table was empty
    (a scan)."""
    if not wanted:
        return list
    pairs = sorted(wanted)
    params = ([a for a, _ in pairs], [k for _, k in pairs])
    return later(conn, _pairs_statement(tuple(columns), table, key), params)


@lru_cache(maxsize=8)
def _pairs_statement(columns: tuple[str, ...], table: str, key: str) -> str:
    return (
        sql.SQL("SELECT {} FROM {} WHERE (agency, {}) IN (SELECT * FROM unnest(%s::text[], %s::text[]))")
        .format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table), sql.Identifier(key))
        .as_string()
    )


def utc(value: datetime) -> datetime:
    """A timestamp the driver read, in UTC as SQLAlchemy's `UtcDateTime` gives it (the driver
    gives the session's time zone)."""
    return value.astimezone(UTC)
