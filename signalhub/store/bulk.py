"""Bulk statements over plain row dicts: on PostgreSQL COPY for plain inserts and one statement
over a JSON document for inserts that ignore conflicts, executemany for the rest and on SQLite.
Both bind values as SQLAlchemy would (JSON columns as JSON, UTC datetimes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from signalhub.store.base import UtcDateTime, json_bytes

__all__ = ["RowMove", "bulk_update", "insert_ignore", "insert_rows"]


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: list[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING, rows in their order. On PostgreSQL one statement
    whatever the number of rows: the rows travel as one JSON document that
    `json_populate_recordset` turns back into rows of the table (executemany ran an INSERT per
    row: 12 000 statements for 6 000 signals in the alert benchmark, intake's outbox and the
    notifier's deliveries). On SQLite an executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or _python_defaults_left_out(table, rows[0]):
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=key), rows)
        return
    names = list(rows[0])
    convert = [(n, f) for n in names if (f := _utc_check(table.c[n].type))]
    if convert:
        rows = [row | {n: f(row[n]) for n, f in convert} for row in rows]
    columns = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    statement = sql.SQL(
        "INSERT INTO {table} ({columns}) SELECT {columns}"
        " FROM json_populate_recordset(NULL::{table}, %s) WITH ORDINALITY ORDER BY ordinality"
        " ON CONFLICT ({key}) DO NOTHING"
    ).format(
        table=sql.Identifier(table.name), columns=columns,
        key=sql.SQL(", ").join(sql.Identifier(k) for k in key),
    )  # fmt: skip
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(statement, (Json(rows, json_bytes),))


def _utc_check(kind: Any) -> Any:
    """`UtcDateTime`'s bind processing (aware datetimes only, in UTC) for a value SQLAlchemy
    does not bind itself, or None for other types."""
    if isinstance(kind, UtcDateTime):
        return lambda v: kind.process_bind_param(v, None)  # type: ignore[arg-type]
    return None


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A plain bulk INSERT; on PostgreSQL with COPY, unless a column left out has a Python-side
    default only `insert()` would apply."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or _python_defaults_left_out(table, rows[0]):
        conn.execute(insert(table), rows)
        return
    _copy(conn, table, list(rows[0]), rows)


def _python_defaults_left_out(table: Table, row: dict[str, Any]) -> bool:
    """Whether `row` leaves out a column whose default only SQLAlchemy's `insert()` applies."""
    return any(c.name not in row and c.default is not None for c in table.columns)


def _copy(conn: Connection, table: Table, names: list[str], rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into `table`: one round trip, no per-row statements."""
    convert = [_copy_converter(table.c[n].type) for n in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row([f(row[n]) if f else row[n] for n, f in zip(names, convert, strict=True)])


def _copy_converter(kind: Any) -> Any:
    if isinstance(kind, JSON):
        none_as_null = kind.none_as_null
        return lambda v: None if v is None and none_as_null else Json(v, json_bytes)
    return _utc_check(kind)


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


class RowMove:
    """Moving rows by id from one model's table into another's (`models`: from, to): the columns
    the target shares with the source, and the ones `extra(columns of the moved rows)` gives
    (values, expressions or bound parameters, given to `run`). One statement on PostgreSQL (a
    DELETE ... RETURNING feeding the INSERT), two elsewhere. Built once: built per call, the
    delivery log's move cost the notifier 2.9 ms of CPU per batch, mostly in SQLAlchemy."""

    def __init__(self, models: tuple[Any, Any], extra: Callable[[Any], dict[str, Any]]) -> None:
        source, target = (cast(Table, model.__table__) for model in models)
        ids: Any = bindparam("moved_ids", expanding=True)
        self._postgres = self._insert(
            target, delete(source).where(source.c.id.in_(ids)).returning(*source.c).cte("moved").c, extra
        )
        self._elsewhere = (
            self._insert(target, source.c, extra, where=source.c.id.in_(ids)),
            delete(source).where(source.c.id.in_(ids)),
        )

    @staticmethod
    def _insert(target: Table, cols: Any, extra: Callable[[Any], dict[str, Any]], where: Any = None) -> Any:
        values = extra(cols)
        names = [c.name for c in target.columns if c.name in values or c.name in cols]
        query = select(*(values[n] if n in values else cols[n] for n in names))
        return insert(target).from_select(names, query if where is None else query.where(where))

    def run(self, conn: Connection, ids: Sequence[int], **params: Any) -> None:
        if not ids:
            return
        bound = {"moved_ids": list(ids), **params}
        if conn.dialect.name == "postgresql":
            conn.execute(self._postgres, bound)
            return
        for statement in self._elsewhere:
            conn.execute(statement, bound)
