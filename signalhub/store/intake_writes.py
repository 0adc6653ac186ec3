"""Bulk writes of intake: one statement (`signalhub.store.bulk`) per kind of change, in an order
that keeps every constraint true at each statement's end (merged cases are closed before their families'
cases move, so the partial unique index `uq_cases_open_family` never sees two open cases).

Rows with a stable id (outbox `message_id`, person keys) are inserted with ON CONFLICT DO NOTHING,
so a rule firing twice writes one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, text, update
from sqlalchemy.dialects import postgresql, sqlite

from signalhub.store.bulk import bulk_update, insert_ignore, insert_rows, pipelined
from signalhub.store.cases import Case, CaseCounter, CaseEvent
from signalhub.store.intake_rows import CaseRow, Changes, FamilyRow, PersonRow, SignalRow
from signalhub.store.outbox import enqueue_rows
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
    *,
    commit: bool = False,
) -> None:
    """Write a batch's new and changed rows and its links, history, inbox and outbox: on
    PostgreSQL every statement in one pipeline (one round trip; none of them reads a result).
    With `commit`, the pipeline ends with the transaction's COMMIT (PostgreSQL; the caller's own
    commit then has nothing left to do), saving a round trip; an error of any statement or of the
    COMMIT raises here and nothing is written."""
    with pipelined(conn):
        _write(conn, families, persons, cases, signals, changes)
        if commit and conn.dialect.name == "postgresql":
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute("COMMIT")


def _write(
    conn: Connection,
    families: Iterable[FamilyRow],
    persons: Iterable[PersonRow],
    cases: Iterable[CaseRow],
    signals: Iterable[SignalRow],
    changes: Changes,
) -> None:
    fams, people, kases, sigs = list(families), list(persons), list(cases), list(signals)
    new_fams = sorted((f for f in fams if f.new), key=lambda f: (f.created_at, f.id))
    if new_fams:
        insert_rows(
            conn, _families, [{"id": f.id, "created_at": f.created_at, "merged_into": None} for f in new_fams]
        )
    bulk_update(
        conn,
        _families,
        [{"id": f.id, "merged_into": f.merged_into} for f in fams if f.merged_into and (f.dirty or f.new)],
        ["merged_into"],
    )
    new_people = [p for p in people if p.new]
    if new_people:
        insert_rows(conn, _persons, [_row(p) for p in new_people])
    bulk_update(conn, _persons, [_row(p) for p in people if p.dirty and not p.new], _PERSON_VALUES)
    for old, target in changes.family_moves:
        conn.execute(update(_persons).where(_persons.c.family_id == old).values(family_id=target))
    _insert_keys(conn, sorted(changes.person_keys))
    # Close merged cases first, then move every case of a merged family, then the rest.
    old_cases = sorted((c for c in kases if c.dirty and not c.new), key=_merged_first)
    bulk_update(conn, _cases, [_row(c) for c in old_cases if c.merged_into], _CASE_VALUES)
    for old, target in changes.family_moves:
        conn.execute(update(_cases).where(_cases.c.family_id == old).values(family_id=target))
    bulk_update(conn, _cases, [_row(c) for c in old_cases if not c.merged_into], _CASE_VALUES)
    new_cases = sorted((c for c in kases if c.new), key=_merged_first, reverse=True)
    if new_cases:
        insert_rows(conn, _cases, [{**_row(c), "outcome": None} for c in new_cases])
    for old, target in changes.family_moves:
        conn.execute(update(_signals).where(_signals.c.family_id == old).values(family_id=target))
    for merged, survivor in changes.case_moves:
        conn.execute(update(_signals).where(_signals.c.case_id == merged).values(case_id=survivor))
    new_sigs = [s for s in sigs if s.new]
    if new_sigs:
        insert_rows(conn, _signals, [_signal_insert(s) for s in new_sigs])
    changed = [s for s in sigs if s.dirty and not s.new]
    bulk_update(conn, _signals, [{**_row(s), **s.values} for s in changed], [*_SIGNAL_VALUES, *_VALUE_KEYS])
    if changes.replaced_links:
        conn.execute(delete(_links).where(_links.c.signal_id.in_(sorted(changes.replaced_links))))
    if changes.signal_persons:
        insert_rows(conn, _links, changes.signal_persons)
    if changes.case_events:
        insert_rows(conn, _t(CaseEvent), changes.case_events)
    if changes.inbox:
        insert_rows(conn, _t(InboxEntry), changes.inbox)
    enqueue_rows(conn, changes.outbox)


_VALUE_KEYS = ("source_system", "reported_at", "received_at", "region_code", "municipality_code", "payload")


def _signal_insert(s: SignalRow) -> dict[str, Any]:
    data = _row(s)
    data.pop("values")
    return {**data, **s.values, "anonymised_at": None}


def next_case_numbers(conn: Connection, scope: str, count: int) -> list[int]:
    """Reserve `count` sequence numbers of `scope` (region-year) in one statement (an upsert that
    returns the counter's new value); the counter row stays locked on PostgreSQL until the
    transaction ends, so numbers are never handed out twice."""
    statement = _NEXT_NUMBERS[conn.dialect.name == "postgresql"]
    end = int(conn.execute(statement, {"scope": scope, "count": count}).scalar_one())
    return list(range(end - count + 1, end + 1))


def _next_numbers(dialect: Any) -> Any:
    table = _t(CaseCounter)
    upsert = dialect.insert(table).values(scope=bindparam("scope"), value=bindparam("count"))
    return upsert.on_conflict_do_update(
        index_elements=[table.c.scope], set_={"value": table.c.value + upsert.excluded.value}
    ).returning(table.c.value)


_NEXT_NUMBERS = {flag: _next_numbers(postgresql if flag else sqlite) for flag in (True, False)}
