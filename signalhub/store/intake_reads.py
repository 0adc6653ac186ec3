"""Bulk reads of intake: a few `IN (...)` selects per batch, never one query per message."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import fields
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from signalhub.store.cases import Case
from signalhub.store.intake_rows import CaseRow, FamilyRow, SignalRow
from signalhub.store.registry import Family, InboxEntry, Person, Signal, SignalPerson

__all__ = [
    "cases_of_families",
    "children_of_cases",
    "chunk_size",
    "chunks",
    "families",
    "in_",
    "inbox_positions",
    "person_families",
    "signals_by_record",
    "signals_of_cases",
]

T = TypeVar("T")
CHUNK = 2000  # bound parameters per statement stay far below PostgreSQL's and SQLite's limits

_inbox, _persons = InboxEntry.__table__, Person.__table__
_signals, _families, _cases = Signal.__table__, Family.__table__, Case.__table__
_links = SignalPerson.__table__


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chunk_size(conn: Connection, values: Collection[str]) -> int:
    """Values per statement: all at once on PostgreSQL, which receives them as one text."""
    return max(1, len(values)) if conn.dialect.name == "postgresql" else CHUNK


def in_(conn: Connection, column: Any, values: list[str]) -> ColumnElement[bool]:
    """`column IN values`: one array parameter on PostgreSQL (fast to bind), a list elsewhere."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def _by_agency(
    conn: Connection, query: Select[Any], agency: Any, column: Any, wanted: Collection[tuple[str, str]]
) -> Iterator[Any]:
    """Rows of `query` whose (`agency`, `column`) is one of `wanted`: one statement per agency
    (and chunk), `agency = :a AND column IN (...)`, so the (agency, column) key's index finds
    them. `column IN (...)` alone cannot use that index (agency leads it) and scanned the whole
    table every batch: 5 s per batch at 500 000 inbox rows."""
    keys: dict[str, set[str]] = {}
    for a, key in wanted:
        keys.setdefault(a, set()).add(key)
    for a, values in sorted(keys.items()):
        for part in chunks(sorted(values)):
            yield from conn.execute(query.where(agency == a, in_(conn, column, part)))


def inbox_positions(
    conn: Connection, events: Collection[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, int, int]]:
    """Where each already processed (agency, event id) was read: (topic, partition, offset)."""
    q = select(_inbox.c.agency, _inbox.c.event_id, _inbox.c.topic, _inbox.c.partition, _inbox.c.offset)
    return {
        (row.agency, row.event_id): (row.topic, row.partition, row.offset)
        for row in _by_agency(conn, q, _inbox.c.agency, _inbox.c.event_id, events)
    }


def _signal(row: Any) -> SignalRow:
    """A row of `_SIGNAL_COLUMNS`, whose names are the dataclass's fields."""
    return SignalRow(**row._mapping)


_SIGNAL_COLUMNS = [
    _signals.c[name]
    for name in (
        "id", "event_id", "agency", "source_record_id", "signal_type", "severity", "occurred_at",
        "family_id", "case_id", "corroborates_id", "version",
    )
]  # fmt: skip


def signals_by_record(
    conn: Connection, records: Collection[tuple[str, str]]
) -> dict[tuple[str, str], SignalRow]:
    """Stored signals by (agency, source_record_id)."""
    q = select(*_SIGNAL_COLUMNS)
    return {
        (row.agency, row.source_record_id): _signal(row)
        for row in _by_agency(conn, q, _signals.c.agency, _signals.c.source_record_id, records)
    }


def signals_of_cases(conn: Connection, case_ids: Collection[str]) -> list[SignalRow]:
    out: list[SignalRow] = []
    for part in chunks(sorted(case_ids)):
        out.extend(
            _signal(r)
            for r in conn.execute(select(*_SIGNAL_COLUMNS).where(in_(conn, _signals.c.case_id, part)))
        )
    return out


def person_families(conn: Connection, person_ids: Collection[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for part in chunks(sorted(person_ids)):
        q = select(_persons.c.id, _persons.c.family_id).where(in_(conn, _persons.c.id, part))
        out.update({r.id: r.family_id for r in conn.execute(q)})
    return out


def families(conn: Connection, ids: Collection[str]) -> dict[str, FamilyRow]:
    """Families by id, following `merged_into` so every survivor is loaded too."""
    found: dict[str, FamilyRow] = {}
    wanted = set(ids)
    while wanted:
        for part in chunks(sorted(wanted)):
            q = select(_families).where(in_(conn, _families.c.id, part))
            for r in conn.execute(q):
                found[r.id] = FamilyRow(r.id, r.created_at, r.merged_into)
        wanted = {f.merged_into for f in found.values() if f.merged_into and f.merged_into not in found}
    return found


_CASE_COLUMNS = [_cases.c[f.name] for f in fields(CaseRow) if f.name not in ("new", "dirty")]


def cases_of_families(conn: Connection, family_ids: Collection[str]) -> list[CaseRow]:
    """Cases of the families, as rows of `_CASE_COLUMNS` (named as the dataclass's fields)."""
    out: list[CaseRow] = []
    for part in chunks(sorted(family_ids)):
        q = select(*_CASE_COLUMNS).where(in_(conn, _cases.c.family_id, part))
        out.extend(CaseRow(**r._mapping) for r in conn.execute(q))
    return out


def children_of_cases(conn: Connection, case_ids: Collection[str]) -> dict[str, dict[str, date | None]]:
    """case id -> {person id: birth date} of every child named in the case's signals."""
    out: dict[str, dict[str, date | None]] = {}
    for part in chunks(sorted(case_ids)):
        q = (
            select(_signals.c.case_id, _persons.c.id, _persons.c.birth_date)
            .select_from(_links.join(_signals, _signals.c.id == _links.c.signal_id))
            .join(_persons, _persons.c.id == _links.c.person_id)
            .where(in_(conn, _signals.c.case_id, part), _links.c.role == "child")
        )
        for r in conn.execute(q):
            out.setdefault(r.case_id, {})[r.id] = r.birth_date
    return out
