"""Bulk reads of intake: a few `IN (...)` selects per batch, never one query per message. The
`send_` reads are sent now and taken later, so that several go to PostgreSQL in one round trip
(`later`, `signalhub.store.bulk.pipelined`); on SQLite they run at once."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from signalhub.store.cases import Case
from signalhub.store.intake_rows import CaseRow, FamilyRow, SignalRow
from signalhub.store.later import by_pairs, later, utc
from signalhub.store.registry import Family, InboxEntry, Person, Signal, SignalPerson

__all__ = [
    "cases_of_families",
    "chunk_size",
    "chunks",
    "families",
    "in_",
    "inbox_positions",
    "send_children_of_cases",
    "send_families_and_cases",
    "send_inbox_positions",
    "send_person_families",
    "send_signals_by_record",
    "send_signals_of_cases",
    "signals_by_record",
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
    return send_inbox_positions(conn, events)()


def send_inbox_positions(
    conn: Connection, events: Collection[tuple[str, str]]
) -> Callable[[], dict[tuple[str, str], tuple[str, int, int]]]:
    """`inbox_positions`, sent now and taken later (`later`)."""
    if conn.dialect.name == "postgresql":
        fetch = by_pairs(conn, _INBOX_NAMES, "inbox", "event_id", events)
        return lambda: _positions(fetch())
    q = select(*(_inbox.c[n] for n in _INBOX_NAMES))
    found = _positions(_by_agency(conn, q, _inbox.c.agency, _inbox.c.event_id, events))
    return lambda: found


def _positions(rows: Iterable[Any]) -> dict[tuple[str, str], tuple[str, int, int]]:
    return {(agency, event): (topic, partition, offset) for agency, event, topic, partition, offset in rows}


_INBOX_NAMES = ("agency", "event_id", "topic", "partition", "offset")


def _signal(row: Any) -> SignalRow:
    """A row of `_SIGNAL_NAMES`: the dataclass's fields up to `version`, in order."""
    signal = SignalRow(*row)
    signal.occurred_at = utc(signal.occurred_at)
    return signal


_SIGNAL_NAMES = (
    "id", "event_id", "agency", "source_record_id", "signal_type", "severity", "occurred_at",
    "family_id", "case_id", "corroborates_id", "version",
)  # fmt: skip
_SIGNAL_COLUMNS = [_signals.c[name] for name in _SIGNAL_NAMES]


def signals_by_record(
    conn: Connection, records: Collection[tuple[str, str]]
) -> dict[tuple[str, str], SignalRow]:
    """Stored signals by (agency, source_record_id)."""
    return send_signals_by_record(conn, records)()


def send_signals_by_record(
    conn: Connection, records: Collection[tuple[str, str]]
) -> Callable[[], dict[tuple[str, str], SignalRow]]:
    """`signals_by_record`, sent now and taken later (see `later`)."""
    if conn.dialect.name == "postgresql":
        fetch = by_pairs(conn, _SIGNAL_NAMES, "signals", "source_record_id", records)
        return lambda: _by_record(fetch())
    q = select(*_SIGNAL_COLUMNS)
    found = _by_record(_by_agency(conn, q, _signals.c.agency, _signals.c.source_record_id, records))
    return lambda: found


def _by_record(rows: Iterable[Any]) -> dict[tuple[str, str], SignalRow]:
    return {(s.agency, s.source_record_id): s for s in map(_signal, rows)}


def send_signals_of_cases(conn: Connection, case_ids: Collection[str]) -> Callable[[], list[SignalRow]]:
    """Stored signals of the cases, sent now and taken later (`later`)."""
    if conn.dialect.name == "postgresql":
        fetch = later(conn, _SIGNALS_OF_CASES, (sorted(case_ids),)) if case_ids else list
        return lambda: [_signal(r) for r in fetch()]
    out: list[SignalRow] = []
    for part in chunks(sorted(case_ids)):
        q = select(*_SIGNAL_COLUMNS).where(in_(conn, _signals.c.case_id, part))
        out.extend(_signal(r) for r in conn.execute(q))
    return lambda: out


_SIGNALS_OF_CASES = f"SELECT {', '.join(_SIGNAL_NAMES)} FROM signals WHERE case_id = ANY(%s::text[])"


def send_person_families(
    conn: Connection, person_ids: Collection[str]
) -> Callable[[], dict[str, str | None]]:
    """person id -> family id, sent now and taken later (`later`)."""
    if conn.dialect.name == "postgresql":
        fetch = later(conn, _PERSON_FAMILIES, (sorted(person_ids),)) if person_ids else list
        return lambda: dict(fetch())
    out: dict[str, str | None] = {}
    for part in chunks(sorted(person_ids)):
        q = select(_persons.c.id, _persons.c.family_id).where(in_(conn, _persons.c.id, part))
        out.update({r.id: r.family_id for r in conn.execute(q)})
    return lambda: out


_PERSON_FAMILIES = "SELECT id, family_id FROM persons WHERE id = ANY(%s::text[])"


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


def send_families_and_cases(
    conn: Connection, ids: Collection[str]
) -> Callable[[], tuple[dict[str, FamilyRow], list[CaseRow]]]:
    """`families` and their `cases_of_families`, sent now and taken later (`later`); on
    PostgreSQL two statements, each following `merged_into` itself (a recursive query)."""
    if conn.dialect.name != "postgresql":
        found = families(conn, ids)
        cases = cases_of_families(conn, found)
        return lambda: (found, cases)
    if not ids:
        return lambda: ({}, [])
    wanted = (sorted(ids),)
    fams, rows = later(conn, _FAMILIES, wanted), later(conn, _CASES, wanted)
    return lambda: (
        {r[0]: FamilyRow(r[0], utc(r[1]), r[2]) for r in fams()},
        [_case([utc(v) if isinstance(v, datetime) else v for v in r]) for r in rows()],
    )


_CASE_NAMES = [c.name for c in _CASE_COLUMNS]


def _case(values: list[Any]) -> CaseRow:
    return CaseRow(**dict(zip(_CASE_NAMES, values, strict=True)))


_SURVIVORS = (
    "WITH RECURSIVE f AS (SELECT id, created_at, merged_into FROM families WHERE id = ANY(%s::text[])"
    " UNION SELECT g.id, g.created_at, g.merged_into FROM families AS g JOIN f ON g.id = f.merged_into)"
)
_FAMILIES = f"{_SURVIVORS} SELECT id, created_at, merged_into FROM f"
_CASES = f"{_SURVIVORS} SELECT {', '.join(_CASE_NAMES)} FROM cases WHERE family_id IN (SELECT id FROM f)"


def send_children_of_cases(
    conn: Connection, case_ids: Collection[str]
) -> Callable[[], dict[str, dict[str, date | None]]]:
    """case id -> {person id: birth date} of every child named in the case's signals, sent now and
    taken later (`later`)."""
    if conn.dialect.name == "postgresql":
        fetch = later(conn, _CHILDREN, (sorted(case_ids),)) if case_ids else list
        return lambda: _by_case(fetch())
    rows: list[Any] = []
    for part in chunks(sorted(case_ids)):
        q = (
            select(_signals.c.case_id, _persons.c.id, _persons.c.birth_date)
            .select_from(_links.join(_signals, _signals.c.id == _links.c.signal_id))
            .join(_persons, _persons.c.id == _links.c.person_id)
            .where(in_(conn, _signals.c.case_id, part), _links.c.role == "child")
        )
        rows.extend(conn.execute(q))
    return lambda: _by_case(rows)


_CHILDREN = (
    "SELECT s.case_id, p.id, p.birth_date FROM signal_persons AS l"
    " JOIN signals AS s ON s.id = l.signal_id JOIN persons AS p ON p.id = l.person_id"
    " WHERE s.case_id = ANY(%s::text[]) AND l.role = 'child'"
)


def _by_case(rows: Iterable[Any]) -> dict[str, dict[str, date | None]]:
    out: dict[str, dict[str, date | None]] = {}
    for case_id, person_id, birth_date in rows:
        out.setdefault(case_id, {})[person_id] = birth_date
    return out
