"""Bulk writes of intake: one statement (COPY on PostgreSQL for plain inserts, else executemany)
per kind of change, in an order that keeps
every constraint true at each statement's end (merged cases are closed before their families'
cases move, so the partial unique index `uq_cases_open_family` never sees two open cases).

Rows with a stable id (outbox `message_id`, person keys) are inserted with ON CONFLICT DO NOTHING,
so a rule firing twice writes one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import JSON, Connection, Table, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from signalhub.store.base import UtcDateTime
from signalhub.store.cases import Case, CaseCounter, CaseEvent
from signalhub.store.intake_rows import CaseRow, Changes, FamilyRow, PersonRow, SignalRow
from signalhub.store.messaging import OutboxMessage
from signalhub.store.registry import Family, InboxEntry, Person, PersonKey, Signal, SignalPerson

__all__ = ["next_case_numbers", "write_changes"]


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


_families, _persons, _keys = _t(Family), _t(Person), _t(PersonKey)
_cases, _signals, _links = _t(Case), _t(Signal), _t(SignalPerson)
_PERSON_VALUES = (
    "family_id",
    "surname",
    "first_name",
    "patronymic",
    "birth_date",
    "sex",
    "snils",
    "birth_cert",
    "address",
)
_CASE_VALUES = (
    "family_id", "status", "priority_level", "priority_score", "priority_rules", "agencies",
    "ack_deadline", "closed_at", "merged_into", "updated_at",
)  # fmt: skip
_SIGNAL_VALUES = (
    "event_id",
    "signal_type",
    "severity",
    "occurred_at",
    "family_id",
    "case_id",
    "corroborates_id",
    "version",
)


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: list[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO NOTHING on PostgreSQL and SQLite."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=key), rows)


_UNNEST_KEYS = text(
    "INSERT INTO person_keys (key, person_id) "
    "SELECT * FROM unnest(string_to_array(:keys, E'\\n'), string_to_array(:ids, E'\\n')) ON CONFLICT DO NOTHING"
)


def _insert_keys(conn: Connection, pairs: list[tuple[str, str]]) -> None:
    """Blocking keys, tens of thousands per batch: on PostgreSQL two texts, one line per row
    (keys and ids hold no newline), which bind far faster than two arrays."""
    if not pairs:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            _UNNEST_KEYS, {"keys": "\n".join(k for k, _ in pairs), "ids": "\n".join(p for _, p in pairs)}
        )
    else:
        insert_ignore(conn, _keys, [{"key": k, "person_id": p} for k, p in pairs], ["key", "person_id"])


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """A plain bulk INSERT; on PostgreSQL with COPY (one round trip, no per-row statements),
    binding values as SQLAlchemy would (JSON columns as JSON, UTC datetimes), unless a column
    left out has a Python-side default only `insert()` would apply."""
    if not rows:
        return
    names = list(rows[0])
    columns = [table.c[n] for n in names]
    skipped = [c for c in table.columns if c.name not in rows[0] and c.default is not None]
    if conn.dialect.name != "postgresql" or skipped:
        conn.execute(insert(table), rows)
        return
    convert = [_copy_converter(c.type) for c in columns]
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
        return lambda v: None if v is None and none_as_null else Json(v)
    if isinstance(kind, UtcDateTime):
        return lambda v: kind.process_bind_param(v, None)  # type: ignore[arg-type]
    return None


def _bulk_update(conn: Connection, table: Table, rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
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


def _row(obj: Any) -> dict[str, Any]:
    data = dict(vars(obj))  # shallow: rows hold flat values (asdict's deep copy is slow)
    data.pop("new")
    data.pop("dirty")
    return data


def _merged_first(c: CaseRow) -> int:
    return 0 if c.merged_into else 1


def write_changes(
    conn: Connection,
    families: Iterable[FamilyRow],
    persons: Iterable[PersonRow],
    cases: Iterable[CaseRow],
    signals: Iterable[SignalRow],
    changes: Changes,
) -> None:
    """Write a batch's new and changed rows and its links, history, inbox and outbox."""
    fams, people, kases, sigs = list(families), list(persons), list(cases), list(signals)
    new_fams = sorted((f for f in fams if f.new), key=lambda f: (f.created_at, f.id))
    if new_fams:
        _insert(
            conn, _families, [{"id": f.id, "created_at": f.created_at, "merged_into": None} for f in new_fams]
        )
    _bulk_update(
        conn,
        _families,
        [{"id": f.id, "merged_into": f.merged_into} for f in fams if f.merged_into and (f.dirty or f.new)],
        ["merged_into"],
    )
    new_people = [p for p in people if p.new]
    if new_people:
        _insert(conn, _persons, [_row(p) for p in new_people])
    _bulk_update(conn, _persons, [_row(p) for p in people if p.dirty and not p.new], _PERSON_VALUES)
    for old, target in changes.family_moves:
        conn.execute(update(_persons).where(_persons.c.family_id == old).values(family_id=target))
    _insert_keys(conn, sorted(changes.person_keys))
    # Close merged cases first, then move every case of a merged family, then the rest.
    old_cases = sorted((c for c in kases if c.dirty and not c.new), key=_merged_first)
    _bulk_update(conn, _cases, [_row(c) for c in old_cases if c.merged_into], _CASE_VALUES)
    for old, target in changes.family_moves:
        conn.execute(update(_cases).where(_cases.c.family_id == old).values(family_id=target))
    _bulk_update(conn, _cases, [_row(c) for c in old_cases if not c.merged_into], _CASE_VALUES)
    new_cases = sorted((c for c in kases if c.new), key=_merged_first, reverse=True)
    if new_cases:
        _insert(conn, _cases, [{**_row(c), "outcome": None} for c in new_cases])
    for old, target in changes.family_moves:
        conn.execute(update(_signals).where(_signals.c.family_id == old).values(family_id=target))
    for merged, survivor in changes.case_moves:
        conn.execute(update(_signals).where(_signals.c.case_id == merged).values(case_id=survivor))
    new_sigs = [s for s in sigs if s.new]
    if new_sigs:
        _insert(conn, _signals, [_signal_insert(s) for s in new_sigs])
    changed = [s for s in sigs if s.dirty and not s.new]
    _bulk_update(conn, _signals, [{**_row(s), **s.values} for s in changed], [*_SIGNAL_VALUES, *_VALUE_KEYS])
    if changes.replaced_links:
        conn.execute(delete(_links).where(_links.c.signal_id.in_(sorted(changes.replaced_links))))
    if changes.signal_persons:
        _insert(conn, _links, changes.signal_persons)
    if changes.case_events:
        _insert(conn, _t(CaseEvent), changes.case_events)
    if changes.inbox:
        _insert(conn, _t(InboxEntry), changes.inbox)
    insert_ignore(conn, _t(OutboxMessage), changes.outbox, ["message_id"])


_VALUE_KEYS = ("source_system", "reported_at", "received_at", "region_code", "municipality_code", "payload")


def _signal_insert(s: SignalRow) -> dict[str, Any]:
    data = _row(s)
    data.pop("values")
    return {**data, **s.values, "anonymised_at": None}


def next_case_numbers(conn: Connection, scope: str, count: int) -> list[int]:
    """Reserve `count` sequence numbers of `scope` (region-year); the counter row stays locked on
    PostgreSQL until the transaction ends, so numbers are never handed out twice."""
    table = _t(CaseCounter)
    row = conn.execute(select(table.c.value).where(table.c.scope == scope).with_for_update()).first()
    start = 1 if row is None else int(row.value) + 1
    if row is None:
        conn.execute(insert(table).values(scope=scope, value=count))
    else:
        conn.execute(update(table).where(table.c.scope == scope).values(value=start + count - 1))
    return list(range(start, start + count))
