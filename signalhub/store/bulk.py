"""Bulk statements over plain row dicts: on PostgreSQL one statement over a JSON document for
every insert (plain or ignoring conflicts), executemany for the rest and on SQLite; both bind
values as SQLAlchemy would (JSON columns as JSON, UTC datetimes). `pipelined` sends a block's
statements to PostgreSQL together: intake writes a batch in one round trip.

Not COPY: a pipeline cannot carry it, and each COPY costs two round trips (start, then data),
which made much of the fixed cost of a small intake batch. Measured for 2 000 outbox rows: COPY
9.2 ms of client CPU and 10.3 ms of PostgreSQL's, the JSON document 3.7 ms and 18.0 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, cast

from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from signalhub.store.base import UtcDateTime, json_bytes
from signalhub.store.intake_reads import chunks

__all__ = ["RowMove", "bulk_update", "insert_ignore", "insert_rows", "pipelined"]


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """On PostgreSQL, the statements run inside go to the server together and their results come
    back together (psycopg's pipeline mode): one round trip for the block instead of one per
    statement; the first error raises at the end of the block at the latest. Inside, statements
    must not read results through SQLAlchemy (its results read nothing there), and COPY cannot
    run (`insert_rows` does not use it). Elsewhere it does nothing."""
    if conn.dialect.name != "postgresql":
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.pipeline():
        yield


def insert_ignore(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    key: list[str],
    *,
    unless_in: Table | None = None,
) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING, rows in their order; with `unless_in`, rows whose
    key is already in that table too are left out (on PostgreSQL in the same statement). On
    PostgreSQL one statement whatever the number of rows (`_json_insert`; executemany ran an
    INSERT per row: 12 000 statements for 6 000 signals in the alert benchmark, intake's outbox
    and the notifier's deliveries). On SQLite an executemany."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and not _python_defaults_left_out(table, rows[0]):
        _json_insert(conn, table, rows, tuple(key), unless_in.name if unless_in is not None else None)
        return
    if unless_in is not None:
        there = _present(conn, unless_in, key, rows)
        rows = [r for r in rows if tuple(r[k] for k in key) not in there]
        if not rows:
            return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=key), rows)


def _present(
    conn: Connection, table: Table, key: list[str], rows: list[dict[str, Any]]
) -> set[tuple[Any, ...]]:
    """The keys of `rows` that `table` holds (an IN per chunk of keys)."""
    columns = [table.c[k] for k in key]
    found: set[tuple[Any, ...]] = set()
    for part in chunks(sorted({tuple(r[k] for k in key) for r in rows})):
        found.update(tuple(v) for v in conn.execute(select(*columns).where(tuple_(*columns).in_(part))))
    return found


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A plain bulk INSERT: on PostgreSQL one statement over a JSON document (`_json_insert`),
    unless a column left out has a Python-side default only `insert()` would apply."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or _python_defaults_left_out(table, rows[0]):
        conn.execute(insert(table), rows)
        return
    _json_insert(conn, table, rows, None, None)


def _python_defaults_left_out(table: Table, row: dict[str, Any]) -> bool:
    """Whether `row` leaves out a column whose default only SQLAlchemy's `insert()` applies."""
    return any(c.name not in row and c.default is not None for c in table.columns)


def _json_insert(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    key: tuple[str, ...] | None,
    unless_in: str | None,
) -> None:
    """INSERT ... SELECT over one JSON document that `json_populate_recordset` turns back into rows
    of the table, in their order: one statement (and, unlike COPY, one that a pipeline carries),
    built once per shape. JSON values travel nested in the document; UTC datetimes as ISO text."""
    names = tuple(rows[0])
    convert = [(n, f) for n in names if (f := _utc_check(table.c[n].type))]
    if convert:
        rows = [row | {n: f(row[n]) for n, f in convert} for row in rows]
    statement = _insert_statement(table, names, key, unless_in)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(statement, (Json(rows, json_bytes),), prepare=False)


@lru_cache(maxsize=256)
def _insert_statement(
    table: Table, names: tuple[str, ...], key: tuple[str, ...] | None, unless_in: str | None
) -> str:
    """`_json_insert`'s statement. A JSON column that stores Python's None as JSON `null` (as
    SQLAlchemy and COPY did) gets `null`, not SQL NULL, from an absent or null value.

    `unless_in` is probed row by row through its unique index on the key: the `OFFSET 0` keeps
    PostgreSQL from turning the NOT EXISTS into an anti join, which it planned as a hash of the
    whole table (it takes the document for 100 rows, and `unless_in` is a table of done rows that
    grows as long as the hub runs): in a 200/s run intake's outbox insert took 1.6 ms a batch of
    21 rows over 12 000 sent messages, growing with the table, analyzed or not. Sent unprepared."""
    values = [
        sql.SQL("COALESCE({}, 'null')").format(sql.Identifier(n))
        if isinstance(t := table.c[n].type, JSON) and not t.none_as_null
        else sql.Identifier(n)
        for n in names
    ]
    parts: list[sql.Composable] = [
        sql.SQL("INSERT INTO {table} ({columns}) SELECT {values} FROM json_populate_recordset(NULL::{table}, %s)"
                " WITH ORDINALITY AS r").format(
            table=sql.Identifier(table.name), columns=sql.SQL(", ").join(map(sql.Identifier, names)),
            values=sql.SQL(", ").join(values),
        )
    ]  # fmt: skip
    if unless_in is not None and key is not None:
        same = sql.SQL(" AND ").join(sql.SQL("o.{0} = r.{0}").format(sql.Identifier(k)) for k in key)
        parts.append(
            sql.SQL(" WHERE NOT EXISTS (SELECT 1 FROM {} AS o WHERE {} OFFSET 0)").format(
                sql.Identifier(unless_in), same
            )
        )
    parts.append(sql.SQL(" ORDER BY ordinality"))
    if key is not None:
        parts.append(
            sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(sql.SQL(", ").join(map(sql.Identifier, key)))
        )
    return sql.Composed(parts).as_string()


def _utc_check(kind: Any) -> Any:
    """`UtcDateTime`'s bind processing (aware datetimes only, in UTC) for a value SQLAlchemy
    does not bind itself, or None for other types."""
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
