"""The rows intake reads and writes, as plain mutable objects held for one batch.

Intake loads everything a batch needs in a few bulk selects, changes these objects in memory
while it walks the batch in order, and writes the result back in a few bulk statements
(`intake_writes.write_changes`), all in one transaction. `new` marks rows to insert, `dirty`
rows to update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["CaseRow", "Changes", "FamilyRow", "PersonRow", "SignalRow"]


@dataclass
class FamilyRow:
    id: str
    created_at: datetime
    merged_into: str | None = None
    new: bool = False
    dirty: bool = False


@dataclass
class PersonRow:
    """A registry person; values are the best known (filled in when a later record has them)."""

    id: str
    family_id: str | None
    surname: str | None
    first_name: str | None
    patronymic: str | None
    birth_date: date | None
    sex: str | None
    snils: str | None
    birth_cert: str | None
    address: str | None
    created_at: datetime | None = None  # set on new persons; stored ones are read without it
    new: bool = False
    dirty: bool = False


@dataclass
class SignalRow:
    id: str
    event_id: str
    agency: str
    source_record_id: str
    signal_type: str
    severity: str
    occurred_at: datetime
    family_id: str | None
    case_id: str | None
    corroborates_id: str | None
    version: int
    values: dict[str, Any] = field(default_factory=dict)  # the other columns, for insert/update
    new: bool = False
    dirty: bool = False


@dataclass
class CaseRow:
    id: str
    number: str | None  # None until numbered at the end of the batch
    family_id: str
    region_code: str
    municipality_code: str
    status: str
    priority_level: str
    priority_score: int
    priority_rules: list[Any]
    agencies: list[Any]
    opened_at: datetime
    ack_deadline: datetime | None
    closed_at: datetime | None
    merged_into: str | None
    updated_at: datetime
    new: bool = False
    dirty: bool = False


@dataclass
class Changes:
    """Everything a batch writes besides the dirty rows: links, history, inbox, outbox."""

    person_keys: set[tuple[str, str]] = field(default_factory=set)
    family_moves: list[tuple[str, str]] = field(default_factory=list)  # (old family, target)
    case_moves: list[tuple[str, str]] = field(default_factory=list)  # (merged case, survivor)
    replaced_links: set[str] = field(default_factory=set)  # signal ids whose signal_persons are redone
    signal_persons: list[dict[str, Any]] = field(default_factory=list)
    case_events: list[dict[str, Any]] = field(default_factory=list)
    inbox: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
