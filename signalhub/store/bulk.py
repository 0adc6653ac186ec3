"""Bulk statements over plain row dicts, the PostgreSQL fast path beside the portable one:
COPY for plain inserts, COPY into a staging table for inserts that skip conflicts, executemany
for updates. Values are bound as SQLAlchemy would bind them (JSON columns as JSON, UTC datetimes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table, bindparam, insert, update
from sqlalchemy.dialects import sqlite

from signalhub.store.base import UtcDateTime

__all__ = ["bulk_update", "insert_ignore", "insert_rows"]


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: list[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING, rows in their order. On PostgreSQL the rows are
    copied into a session's staging table first (COPY, one round trip) and inserted from it."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=key), rows)
        return
    names = list(rows[0])
    target, staging = sql.Identifier(table.name), sql.Identifier(f"staging_{table.name}")
    columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    conflict = sql.SQL(", ").join(sql.Identifier(k) for k in key)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(
            sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS "
                "SELECT 0 AS ordinal, {} FROM {} WITH NO DATA"
            ).format(staging, columns, target)
        )
        _copy(conn, table, staging, ["ordinal", *names], [{"ordinal": i, **r} for i, r in enumerate(rows)])
        cur.execute(
            sql.SQL(
                "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY ordinal ON CONFLICT ({}) DO NOTHING"
            ).format(target, columns, columns, staging, conflict)
        )


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A plain bulk INSERT; on PostgreSQL with COPY, unless a column left out has a Python-side
    default only `insert()` would apply."""
    if not rows:
        return
    skipped = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if conn.dialect.name != "postgresql" or skipped:
        conn.execute(insert(table), rows)
        return
    _copy(conn, table, sql.Identifier(table.name), list(rows[0]), rows)


def _copy(
    conn: Connection, table: Table, target: sql.Identifier, names: list[str], rows: list[dict[str, Any]]
) -> None:
    """COPY `rows` into `target` (one round trip, no per-row statements), binding the values of
    `table`'s columns as SQLAlchemy would (JSON columns as JSON, UTC datetimes)."""
    convert = [_copy_converter(table.c[n].type) if n in table.c else None for n in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row([f(row[n]) if f else row[n] for n, f in zip(names, convert, strict=True)])


def _copy_converter(kind: Any) -> Any:
    if isinstance(kind, JSON):
        none_as_null = kind.none_as_null
        return lambda v: None if v is None and none_as_null else Json(v)
    if isinstance(kind, UtcDateTime):
        return lambda v: kind.process_bind_param(v, None)  # type: ignore[arg-type]
    return None


def bulk_update(conn: Connection, table: Table, rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
    if not rows:
        return
    cols = list(columns)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(f"_{c}") for c in cols})
        .execution_options(synchronize_session=False)
    )
    conn.execute(stmt, [{"_id": r["id"], **{f"_{c}": r[c] for c in cols}} for r in rows])
