"""The person registry, families, signals and the inbox of processed events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from signalhub.store.base import ID, Base, new_id


class InboxEntry(Base):
    """One row per processed event, keyed by (`agency`, `event_id`): event ids are the agency's
    own, so another agency's equal id is another event. The key makes processing idempotent."""

    __tablename__ = "inbox"
    agency: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(200))
    partition: Mapped[int]
    offset: Mapped[int]
    processed_at: Mapped[datetime]


class Family(Base):
    __tablename__ = "families"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    created_at: Mapped[datetime]
    merged_into: Mapped[str | None] = mapped_column(ID, ForeignKey("families.id"))


class Person(Base):
    """A resolved person: the best values known, and the family they belong to."""

    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    family_id: Mapped[str | None] = mapped_column(ID, ForeignKey("families.id"), index=True)
    surname: Mapped[str | None] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    snils: Mapped[str | None] = mapped_column(String(11), index=True)
    birth_cert: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    anonymised_at: Mapped[datetime | None]


class PersonKey(Base):
    """Blocking keys of a person: a new record is compared only with persons sharing a key.

    A derived index that intake writes by the ten thousand, so it has no foreign key (whose check
    per row cost intake a third of this table's insert time): whoever removes a person removes
    its keys first, as retention does."""

    __tablename__ = "person_keys"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    person_id: Mapped[str] = mapped_column(ID, primary_key=True)


class Signal(Base):
    """One agency record (`agency`, `source_record_id`); amendments bump `version` and replace the payload."""

    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint("agency", "source_record_id"), UniqueConstraint("agency", "event_id"))
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(16))
    source_system: Mapped[str] = mapped_column(String(200))
    source_record_id: Mapped[str] = mapped_column(String(200))
    signal_type: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    received_at: Mapped[datetime]
    region_code: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str] = mapped_column(String(11), index=True)
    family_id: Mapped[str | None] = mapped_column(ID, ForeignKey("families.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(ID, ForeignKey("cases.id"), index=True)
    corroborates_id: Mapped[str | None] = mapped_column(ID, ForeignKey("signals.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any] | None]
    anonymised_at: Mapped[datetime | None]


class SignalPerson(Base):
    """A person as named in one signal, with the linkage decision that resolved them."""

    __tablename__ = "signal_persons"
    __table_args__ = (Index("ix_signal_persons_person_id", "person_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    signal_id: Mapped[str] = mapped_column(ID, ForeignKey("signals.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(ID, ForeignKey("persons.id"))
    role: Mapped[str] = mapped_column(String(16))
    band: Mapped[str] = mapped_column(String(16))
    score: Mapped[float]
    evidence: Mapped[list[Any]]
    review_status: Mapped[str] = mapped_column(String(16), default="none", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(ID)
    reviewed_at: Mapped[datetime | None]
