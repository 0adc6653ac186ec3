"""Bulk reads of intake: a few `IN (...)` selects per batch, never one query per message."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Connection, String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from signalhub.store.base import UtcDateTime
from signalhub.store.cases import Case
from signalhub.store.intake_rows import CaseRow, FamilyRow, PersonRow, SignalRow
from signalhub.store.registry import Family, InboxEntry, Person, PersonKey, Signal, SignalPerson

__all__ = [
    "cases_of_families",
    "children_of_cases",
    "families",
    "inbox_positions",
    "person_families",
    "persons_by_keys",
    "signals_by_record",
    "signals_of_cases",
]

T = TypeVar("T")
CHUNK = 2000  # bound parameters per statement stay far below PostgreSQL's and SQLite's limits

_inbox, _persons, _keys = InboxEntry.__table__, Person.__table__, PersonKey.__table__
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


def _chunk(conn: Connection, values: Collection[str]) -> int:
    """Values per statement: all at once on PostgreSQL, which receives them as one text."""
    return max(1, len(values)) if conn.dialect.name == "postgresql" else CHUNK


def _in(conn: Connection, column: Any, values: list[str]) -> ColumnElement[bool]:
    """`column IN values`: one array parameter on PostgreSQL (fast to bind), a list elsewhere."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def inbox_positions(conn: Connection, event_ids: Collection[str]) -> dict[str, tuple[str, int, int]]:
    """Where each already processed event id was read: (topic, partition, offset)."""
    found: dict[str, tuple[str, int, int]] = {}
    for part in chunks(sorted(event_ids)):
        q = select(_inbox.c.event_id, _inbox.c.topic, _inbox.c.partition, _inbox.c.offset).where(
            _in(conn, _inbox.c.event_id, part)
        )
        for row in conn.execute(q):
            found[row.event_id] = (row.topic, row.partition, row.offset)
    return found


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
    wanted = set(records)
    found: dict[tuple[str, str], SignalRow] = {}
    for part in chunks(sorted({r for _, r in wanted})):
        for row in conn.execute(select(*_SIGNAL_COLUMNS).where(_in(conn, _signals.c.source_record_id, part))):
            if (row.agency, row.source_record_id) in wanted:
                found[(row.agency, row.source_record_id)] = _signal(row)
    return found


def signals_of_cases(conn: Connection, case_ids: Collection[str]) -> list[SignalRow]:
    out: list[SignalRow] = []
    for part in chunks(sorted(case_ids)):
        out.extend(
            _signal(r)
            for r in conn.execute(select(*_SIGNAL_COLUMNS).where(_in(conn, _signals.c.case_id, part)))
        )
    return out


def _person(row: Any) -> PersonRow:
    """A row of `_PERSON_COLUMNS`, whose names are the dataclass's fields."""
    return PersonRow(**row._mapping)


def persons_by_keys(
    conn: Connection, keys: Collection[str], max_block: int, exempt: Sequence[str] = ()
) -> tuple[dict[str, list[str]], dict[str, PersonRow]]:
    """Persons indexed under any of `keys`: (key -> person ids, person id -> person).

    A key shared by more than `max_block` persons is dropped (its persons are reached through
    their other keys), unless it starts with one of `exempt` (identifier keys).
    """
    index: dict[str, list[str]] = {}
    people: dict[str, PersonRow] = {}
    # Keys first, then each person once (a person sits under several of the batch's keys, so a
    # join would send every person's row several times).
    for part in chunks(sorted(keys), _chunk(conn, keys)):
        for key, person_id in _key_rows(conn, part, max_block, exempt):
            index.setdefault(key, []).append(person_id)
    ids = {person_id for found in index.values() for person_id in found}
    for part in chunks(sorted(ids), _chunk(conn, ids)):
        people.update((p.id, p) for p in _persons_by_id(conn, part))
    for key in [k for k, ids in index.items() if len(ids) > max_block and not k.startswith(tuple(exempt))]:
        del index[key]
    return index, people


_BLOCKS = """
SELECT k.key, p.person_id FROM unnest(string_to_array(%s, E'\\n')) AS k(key)
CROSS JOIN LATERAL (SELECT person_id FROM person_keys WHERE person_keys.key = k.key LIMIT %s) AS p
"""
_EXEMPT = "SELECT key, person_id FROM person_keys WHERE key = ANY(string_to_array(%s, E'\\n'))"


def _key_rows(
    conn: Connection, keys: list[str], max_block: int, exempt: Sequence[str]
) -> Iterable[tuple[str, str]]:
    """(key, person id) rows of `keys`; on PostgreSQL at most `max_block + 1` rows of a key that
    is not exempt (enough to know the caller drops it), read without the ORM layer (tens of
    thousands of rows per batch) and with the keys sent as one text (keys hold no newline)."""
    if conn.dialect.name != "postgresql":
        q = select(_keys.c.key, _keys.c.person_id).where(_in(conn, _keys.c.key, keys))
        return [(r[0], r[1]) for r in conn.execute(q)]
    prefixes = tuple(exempt)
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(_BLOCKS, ("\n".join(k for k in keys if not k.startswith(prefixes)), max_block + 1))
        rows = cur.fetchall()
        cur.execute(_EXEMPT, ("\n".join(k for k in keys if k.startswith(prefixes)),))
        return cast(list[tuple[str, str]], rows + cur.fetchall())


_PERSON_COLUMNS = ("id", "family_id", "surname", "first_name", "patronymic", "birth_date", "sex", "snils",
                   "birth_cert", "address", "created_at")  # fmt: skip
_PERSONS = f"SELECT {', '.join(_PERSON_COLUMNS)} FROM persons WHERE id = ANY(string_to_array(%s, ','))"


def _persons_by_id(conn: Connection, ids: list[str]) -> list[PersonRow]:
    """Persons by id; on PostgreSQL read without the ORM layer (thousands per batch)."""
    if conn.dialect.name != "postgresql":
        q = select(*(_persons.c[c] for c in _PERSON_COLUMNS)).where(_in(conn, _persons.c.id, ids))
        return [_person(row) for row in conn.execute(q)]
    driver = conn.connection.driver_connection
    assert driver is not None
    utc, dialect, out = UtcDateTime(), conn.dialect, []
    with driver.cursor() as cur:
        cur.execute(_PERSONS, (",".join(ids),))
        for r in cur:
            created_at = utc.process_result_value(r[-1], dialect)
            assert created_at is not None
            out.append(
                PersonRow(
                    id=r[0], family_id=r[1], surname=r[2], first_name=r[3], patronymic=r[4],
                    birth_date=r[5], sex=r[6], snils=r[7], birth_cert=r[8], address=r[9],
                    created_at=created_at,
                )
            )  # fmt: skip
    return out


def person_families(conn: Connection, person_ids: Collection[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for part in chunks(sorted(person_ids)):
        q = select(_persons.c.id, _persons.c.family_id).where(_in(conn, _persons.c.id, part))
        out.update({r.id: r.family_id for r in conn.execute(q)})
    return out


def families(conn: Connection, ids: Collection[str]) -> dict[str, FamilyRow]:
    """Families by id, following `merged_into` so every survivor is loaded too."""
    found: dict[str, FamilyRow] = {}
    wanted = set(ids)
    while wanted:
        for part in chunks(sorted(wanted)):
            q = select(_families).where(_in(conn, _families.c.id, part))
            for r in conn.execute(q):
                found[r.id] = FamilyRow(r.id, r.created_at, r.merged_into)
        wanted = {f.merged_into for f in found.values() if f.merged_into and f.merged_into not in found}
    return found


_CASE_COLUMNS = [_cases.c[f.name] for f in fields(CaseRow) if f.name not in ("new", "dirty")]


def cases_of_families(conn: Connection, family_ids: Collection[str]) -> list[CaseRow]:
    """Cases of the families, as rows of `_CASE_COLUMNS` (named as the dataclass's fields)."""
    out: list[CaseRow] = []
    for part in chunks(sorted(family_ids)):
        q = select(*_CASE_COLUMNS).where(_in(conn, _cases.c.family_id, part))
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
            .where(_in(conn, _signals.c.case_id, part), _links.c.role == "child")
        )
        for r in conn.execute(q):
            out.setdefault(r.case_id, {})[r.id] = r.birth_date
    return out


def count_persons(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_persons)).scalar_one())
