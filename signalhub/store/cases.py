"""Cases and what happens in them: events, conferences, support plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from signalhub.store.base import ID, Base, new_id


class Case(Base):
    """One case per family while open (a partial unique index enforces it)."""

    __tablename__ = "cases"
    __table_args__ = (
        Index(
            "uq_cases_open_family",
            "family_id",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
        Index("ix_cases_status_deadline", "status", "ack_deadline"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    family_id: Mapped[str] = mapped_column(ID, ForeignKey("families.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(8))
    municipality_code: Mapped[str] = mapped_column(String(11), index=True)
    status: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str | None] = mapped_column(String(24))
    priority_level: Mapped[str] = mapped_column(String(8))
    priority_score: Mapped[int] = mapped_column(Integer)
    priority_rules: Mapped[list[Any]]
    agencies: Mapped[list[Any]]
    opened_at: Mapped[datetime]
    ack_deadline: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    review_date: Mapped[date | None]
    curator_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id"), index=True)
    merged_into: Mapped[str | None] = mapped_column(ID, ForeignKey("cases.id"))
    updated_at: Mapped[datetime]


class CaseEvent(Base):
    """Append-only history of a case: what happened, when, by whom (a user id or a process)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ID, ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]


class CaseCounter(Base):
    """Sequence of case numbers per region and year, portable across SQLite and PostgreSQL."""

    __tablename__ = "case_counters"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Conference(Base):
    """An inter-agency case conference: date, agencies, protocol and a follow-up date."""

    __tablename__ = "conferences"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ID, ForeignKey("cases.id"), index=True)
    scheduled_at: Mapped[datetime]
    agencies: Mapped[list[Any]]
    protocol: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    follow_up_date: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class PlanItem(Base):
    """One action of the support plan, with the agency responsible and its due date."""

    __tablename__ = "plan_items"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ID, ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(Text)
    responsible_agency: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
