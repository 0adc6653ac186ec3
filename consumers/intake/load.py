"""Everything one batch needs from the database, read in bulk after taking its locks.

Locks (PostgreSQL; SQLite serialises writers anyway): first every blocking key of every person in
the batch and every (agency, source record), then the families those keys lead to, each group in
sorted order. Another intake process that would create or join the same person or family waits
until this batch commits, then sees its result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection

from consumers.intake.linking import normalised, record_of
from consumers.intake.messages import Accepted, event_key
from signalhub.domain.cases import CaseStatus, reopenable
from signalhub.domain.linkage.blocking import IDENTIFIER_PREFIXES, blocking_keys, query_keys
from signalhub.domain.linkage.config import LinkageConfig
from signalhub.store import intake_reads as reads
from signalhub.store import registry_reads
from signalhub.store.bulk import pipelined
from signalhub.store.intake_rows import CaseRow, FamilyRow, PersonRow, SignalRow
from signalhub.store.locks import lock

__all__ = ["Cases", "Registry", "load_cases", "load_registry"]

MAX_FAMILY_LOCK_ROUNDS = 3


@dataclass
class Registry:
    inbox: dict[tuple[str, str], tuple[str, int, int]]  # (agency, event id) -> where it was read
    by_record: dict[tuple[str, str], SignalRow]
    index: dict[str, list[str]]
    persons: dict[str, PersonRow]


@dataclass
class Cases:
    families: dict[str, FamilyRow]
    cases: dict[str, CaseRow]
    case_signals: dict[str, list[SignalRow]] = field(default_factory=dict)
    case_children: dict[str, dict[str, date | None]] = field(default_factory=dict)


def load_registry(conn: Connection, accepted: Sequence[Accepted], config: LinkageConfig) -> Registry:
    """Inbox hits, stored signals of the batch's records and the persons its people may be,
    after locking every blocking key and record of the batch.

    The inbox read, the locks and the reads they guard go to PostgreSQL together (one round
    trip), so they are sent for every signal of the batch and narrowed afterwards to the signals
    not processed yet: a redelivered signal's keys are locked too, which can only make a rare
    batch wait a little longer for another."""
    keys = [_keys(a) for a in accepted]
    with pipelined(conn):
        inbox = reads.send_inbox_positions(conn, {event_key(a) for a in accepted})
        lock(conn, {name for names, _ in keys for name in names})
        stored = reads.send_signals_by_record(conn, {_record(a) for a in accepted})
        blocks = registry_reads.send_blocks(
            conn, {k for _, query in keys for k in query}, config.max_block_size, IDENTIFIER_PREFIXES
        )
    hits = inbox()
    wanted = [(a, query) for a, (_, query) in zip(accepted, keys, strict=True) if event_key(a) not in hits]
    records = {_record(a) for a, _ in wanted}
    query = {k for _, q in wanted for k in q}
    index, persons = registry_reads.persons_by_keys(
        conn, query, config.max_block_size, IDENTIFIER_PREFIXES,
        lambda: {k: ids for k, ids in blocks().items() if k in query},
    )  # fmt: skip
    return Registry(hits, {r: s for r, s in stored().items() if r in records}, index, persons)


def _record(a: Accepted) -> tuple[str, str]:
    return a.signal.agency.value, a.signal.source_record_id


def _keys(a: Accepted) -> tuple[set[str], set[str]]:
    """The lock names of a signal (its record, its people's blocking keys) and the keys its
    people's candidates are looked up by."""
    address = a.signal.address.text if a.signal.address else None
    names, query = {f"sr:{a.signal.agency.value}:{a.signal.source_record_id}"}, set[str]()
    for person in (*a.signal.children, *a.signal.adults):
        n = normalised(record_of(person, address))
        query |= query_keys(n)
        names.update("k:" + k for k in blocking_keys(n))
    return names, query


def load_cases(conn: Connection, linked: set[str], registry: Registry, now: datetime) -> Cases:
    """Families of the linked persons and stored signals, their cases, and the signals and
    children of the cases that may change (open, reopenable, or holding an amended signal), after
    locking those families."""
    persons, by_record = registry.persons, registry.by_record
    family_ids = _families_of(persons, linked, by_record)
    locked: set[str] = set()
    stored = [p for p in linked if not persons[p].new]
    read: tuple[set[str], Callable[[], tuple[dict[str, FamilyRow], list[CaseRow]]]] | None = None
    for _ in range(MAX_FAMILY_LOCK_ROUNDS):
        todo = family_ids - locked
        if not todo:
            break
        with pipelined(conn):  # the locks, then the reads they guard: one round trip
            if not lock(conn, ("f:" + f for f in todo), space=1):
                break
            moved = reads.send_person_families(conn, stored)
            # read now for the families as they stand (what they almost always still are after)
            read = (family_ids, reads.send_families_and_cases(conn, family_ids))
        locked |= todo
        for person_id, family_id in moved().items():
            persons[person_id].family_id = family_id
        family_ids = _families_of(persons, linked, by_record)
    if read is None or read[0] != family_ids:
        with pipelined(conn) if family_ids else nullcontext():  # an empty pipeline costs a round trip
            read = (family_ids, reads.send_families_and_cases(conn, family_ids))
    families, found = read[1]()
    cases = {c.id: c for c in found}
    loaded = Cases(families, cases)
    wanted_cases = {
        c.id
        for c in cases.values()
        if c.status != CaseStatus.CLOSED.value
        or reopenable(CaseStatus(c.status), c.merged_into, c.closed_at, now)
    }
    wanted_cases |= {s.case_id for s in by_record.values() if s.case_id}
    known = {s.id: s for s in by_record.values()}
    if not wanted_cases:
        return loaded
    with pipelined(conn):
        signals, children = (
            reads.send_signals_of_cases(conn, wanted_cases),
            reads.send_children_of_cases(conn, wanted_cases),
        )
    for s in signals():
        assert s.case_id is not None
        loaded.case_signals.setdefault(s.case_id, []).append(known.get(s.id, s))
    loaded.case_children = children()
    return loaded


def _families_of(
    persons: dict[str, PersonRow], linked: set[str], by_record: dict[tuple[str, str], SignalRow]
) -> set[str]:
    found = {persons[p].family_id for p in linked}
    found |= {s.family_id for s in by_record.values()}
    return {f for f in found if f is not None}
