"""Case lists for the queue: filtered by the user's scope, sorted by acknowledgement deadline.

Rows carry no personal data (number, status, priority, codes, deadline, curator's display name),
so the queue can be shown to any user who may read the cases in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, nulls_last, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from services.api.access import Principal, case_scope
from signalhub.domain.case_deadlines import is_ack_overdue
from signalhub.domain.cases import OPEN, CaseStatus
from signalhub.region import municipality_name
from signalhub.store.cases import Case
from signalhub.store.workplace import User

PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2}


@dataclass(frozen=True)
class CaseFilters:
    """Filters of the case list; `status="open"` means every status but closed."""

    status: str | None = "open"
    priority: str | None = None
    municipality: str | None = None
    curator_id: str | None = None
    overdue: bool = False
    limit: int = 200


@dataclass(frozen=True)
class CaseRow:
    id: str
    number: str
    status: str
    outcome: str | None
    priority_level: str
    priority_score: int
    municipality_code: str
    agencies: list[str]
    opened_at: datetime
    ack_deadline: datetime | None
    acknowledged_at: datetime | None
    review_date: str | None
    curator_id: str | None
    curator_name: str | None
    overdue: bool = field(default=False)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """Open cases nobody acknowledged before their deadline."""
    return and_(Case.acknowledged_at.is_(None), Case.ack_deadline.is_not(None), Case.ack_deadline < now)


def _query(p: Principal, f: CaseFilters, now: datetime) -> Select[Case, str]:
    q = select(Case, User.display_name).outerjoin(User, User.id == Case.curator_id).where(case_scope(p))
    if f.status == "open":
        q = q.where(Case.status.in_([s.value for s in OPEN]))
    elif f.status:
        q = q.where(Case.status == f.status)
    if f.priority:
        q = q.where(Case.priority_level == f.priority)
    if f.municipality:
        q = q.where(Case.municipality_code == f.municipality)
    if f.curator_id:
        q = q.where(Case.curator_id == (None if f.curator_id == "none" else f.curator_id))
    if f.overdue:
        q = q.where(overdue_clause(now))
    rank = sql_case(PRIORITY_RANK, value=Case.priority_level, else_=3)
    # Unacknowledged cases first by deadline, then the rest by priority and age.
    return q.order_by(
        Case.acknowledged_at.is_not(None), nulls_last(Case.ack_deadline.asc()), rank, Case.opened_at
    ).limit(f.limit)


def list_cases(session: Session, p: Principal, f: CaseFilters, now: datetime) -> list[CaseRow]:
    rows = session.execute(_query(p, f, now)).all()
    return [
        CaseRow(
            id=c.id,
            number=c.number,
            status=c.status,
            outcome=c.outcome,
            priority_level=c.priority_level,
            priority_score=c.priority_score,
            municipality_code=c.municipality_code,
            agencies=[str(a) for a in c.agencies or []],
            opened_at=c.opened_at,
            ack_deadline=c.ack_deadline,
            acknowledged_at=c.acknowledged_at,
            review_date=c.review_date.isoformat() if c.review_date else None,
            curator_id=c.curator_id,
            curator_name=name,
            overdue=is_ack_overdue(CaseStatus(c.status), c.acknowledged_at, c.ack_deadline, now),
        )
        for c, name in rows
    ]


def municipalities(session: Session, p: Principal) -> list[str]:
    """Municipality codes of the cases `p` may read, in the order of their names (the filter's choices)."""
    q = select(Case.municipality_code).where(case_scope(p)).distinct()
    return sorted(session.scalars(q), key=municipality_name)


def curators(session: Session) -> list[tuple[str, str, str | None]]:
    """(id, display name, municipality) of active curators and coordinators, for assignment."""
    q = (
        select(User.id, User.display_name, User.municipality_code)
        .where(User.active.is_(True), User.role.in_(["curator", "coordinator"]))
        .order_by(User.display_name)
    )
    return [(i, n, m) for i, n, m in session.execute(q).all()]


def count_open(session: Session) -> list[tuple[str, int]]:
    q = (
        select(Case.priority_level, func.count())
        .where(Case.status.in_([s.value for s in OPEN]))
        .group_by(Case.priority_level)
    )
    return [(lvl, int(n)) for lvl, n in session.execute(q).all()]
