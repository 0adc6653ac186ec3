"""Candidate persons of the registry by blocking key: the biggest read of an intake batch
(thousands of keys and persons), so on PostgreSQL it bypasses the ORM layer and sends keys and
ids as one text each."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from sqlalchemy import Connection, select

from signalhub.domain.linkage.compare import levels_of
from signalhub.store.intake_reads import chunk_size, chunks, in_
from signalhub.store.intake_rows import PersonRow
from signalhub.store.later import later
from signalhub.store.registry import Person, PersonKey, SignalPerson

__all__ = ["labelled_pairs", "persons_by_keys", "send_blocks"]

_persons, _keys, _links = Person.__table__, PersonKey.__table__, SignalPerson.__table__
_LABELS = {"confirmed": True, "split": False}


def labelled_pairs(conn: Connection) -> list[tuple[dict[str, str], bool]]:
    """The possible matches a person reviewed, as labelled pairs for the linkage model
    (`estimate(..., labelled=...)`): each link's per-field levels and whether it was confirmed
    (one person) or split (two), in review order."""
    q = (
        select(_links.c.evidence, _links.c.review_status)
        .where(_links.c.review_status.in_(list(_LABELS)))
        .order_by(_links.c.reviewed_at, _links.c.id)
    )
    out = []
    for evidence, status in conn.execute(q):
        fields = [
            (str(e["field"]), str(e["level"])) for e in evidence or [] if isinstance(e, dict) and "level" in e
        ]
        levels = {f: level for f, level in levels_of(fields).items() if level != "missing"}
        out.append((levels, _LABELS[status]))
    return out


def persons_by_keys(
    conn: Connection,
    keys: Collection[str],
    max_block: int,
    exempt: Sequence[str] = (),
    blocks: Callable[[], dict[str, list[str]]] | None = None,
) -> tuple[dict[str, list[str]], dict[str, PersonRow]]:
    """Persons indexed under any of `keys`: (key -> person ids, person id -> person).

    A key shared by more than `max_block` persons is dropped (its persons are reached through
    their other keys), unless it starts with one of `exempt` (identifier keys). `blocks`: the
    same arguments' `send_blocks`, already sent.
    """
    # Blocks first, then each person once (a person sits under several of the batch's keys, so a
    # join would send every person's row several times).
    index = (blocks or send_blocks(conn, keys, max_block, exempt))()
    for key in [k for k, ids in index.items() if len(ids) > max_block and not k.startswith(tuple(exempt))]:
        del index[key]  # before reading persons: one reached only through it is never a candidate
    ids = {person_id for found in index.values() for person_id in found}
    people: dict[str, PersonRow] = {}
    for part in chunks(sorted(ids), chunk_size(conn, ids)):
        people.update((p.id, p) for p in _persons_by_id(conn, part))
    return index, people


_BLOCK = """
SELECT k.key, b.ids FROM unnest(string_to_array(%s, E'\\n')) AS k(key)
CROSS JOIN LATERAL (
    SELECT string_agg(person_id, ',') AS ids FROM (
        SELECT person_id FROM person_keys WHERE person_keys.key = k.key ORDER BY person_id LIMIT %s
    ) AS block
) AS b
WHERE b.ids IS NOT NULL
"""
_BLOCKS = f"{_BLOCK} UNION ALL {_BLOCK}"


def send_blocks(
    conn: Connection, keys: Collection[str], max_block: int, exempt: Sequence[str] = ()
) -> Callable[[], dict[str, list[str]]]:
    """key -> person ids (in id order) of those of `keys` that have persons, sent now and taken
    later (`later`). On PostgreSQL one statement, read without the ORM layer, keys sent as one
    text per kind (keys hold no newline), each block's ids returned as one text (ids hold no
    comma): one row per block, not per (key, person); at most `max_block + 1` ids of a key that is
    not exempt (enough to know the caller drops it). Exempt keys go through the same lateral
    query with no limit (`LIMIT NULL`): one index probe per key, whatever the planner's
    statistics say (`key = ANY(array)` could turn into a scan of the whole table when they were
    stale, about a second per batch in the alert-latency runs). Prepared: whatever the statistics,
    a lateral subquery with a limit is planned as one index probe per key, so the generic plan is
    that plan, and planning it again for every batch cost more than the probes of a small batch
    (60 keys: 0.63 ms a read unprepared, 0.28 ms prepared; 300 keys: 1.81 and 1.13 ms)."""
    if conn.dialect.name == "postgresql":
        prefixes = tuple(exempt)
        common = "\n".join(sorted(k for k in keys if not k.startswith(prefixes)))
        exempted = "\n".join(sorted(k for k in keys if k.startswith(prefixes)))
        fetch = later(conn, _BLOCKS, (common, max_block + 1, exempted, None), prepare=True)
        return lambda: {key: ids.split(",") for key, ids in fetch()}
    found: dict[str, list[str]] = {}
    for part in chunks(sorted(keys)):
        q = select(_keys.c.key, _keys.c.person_id).where(in_(conn, _keys.c.key, part))
        for key, person_id in conn.execute(q.order_by(_keys.c.key, _keys.c.person_id)):
            found.setdefault(key, []).append(person_id)
    return lambda: found


# PersonRow's fields, in order, up to `created_at` (intake never changes a stored person's)
_PERSON_COLUMNS = ("id", "family_id", "surname", "first_name", "patronymic", "birth_date", "sex", "snils",
                   "birth_cert", "address")  # fmt: skip
_PERSONS = f"SELECT {', '.join(_PERSON_COLUMNS)} FROM persons WHERE id = ANY(string_to_array(%s, ','))"


def _persons_by_id(conn: Connection, ids: list[str]) -> list[PersonRow]:
    """Persons by id, without `created_at` (intake never changes it); on PostgreSQL read without
    the ORM layer (thousands per batch)."""
    if conn.dialect.name != "postgresql":
        q = select(*(_persons.c[c] for c in _PERSON_COLUMNS)).where(in_(conn, _persons.c.id, ids))
        return [PersonRow(*row) for row in conn.execute(q)]
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        # Unprepared: a generic plan made while `persons` was empty scans it comparing every row
        # with every id until autovacuum's next ANALYZE (135 ms per batch in an alert-latency run).
        cur.execute(_PERSONS, (",".join(ids),), prepare=False)
        return [PersonRow(*row) for row in cur.fetchall()]
