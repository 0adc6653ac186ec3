"""Candidate persons of the registry by blocking key: the biggest read of an intake batch
(thousands of keys and persons), so on PostgreSQL it bypasses the ORM layer and sends keys and
ids as one text each."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Connection, select

from signalhub.store.base import UtcDateTime
from signalhub.store.intake_reads import chunk_size, chunks, in_
from signalhub.store.intake_rows import PersonRow
from signalhub.store.registry import Person, PersonKey

__all__ = ["persons_by_keys"]

_persons, _keys = Person.__table__, PersonKey.__table__


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
    for part in chunks(sorted(keys), chunk_size(conn, keys)):
        for key, person_id in _key_rows(conn, part, max_block, exempt):
            index.setdefault(key, []).append(person_id)
    for key in [k for k, ids in index.items() if len(ids) > max_block and not k.startswith(tuple(exempt))]:
        del index[key]  # before reading persons: one reached only through it is never a candidate
    ids = {person_id for found in index.values() for person_id in found}
    for part in chunks(sorted(ids), chunk_size(conn, ids)):
        people.update((p.id, p) for p in _persons_by_id(conn, part))
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
        q = select(_keys.c.key, _keys.c.person_id).where(in_(conn, _keys.c.key, keys))
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
        q = select(*(_persons.c[c] for c in _PERSON_COLUMNS)).where(in_(conn, _persons.c.id, ids))
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
