"""What the case model needs to know about a stored case: its facts for priority, the persons its
signals name, the work still open on it, and the case a merged one went into."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signalhub.domain.case_merge import surviving
from signalhub.domain.cases import PlanItemStatus
from signalhub.domain.priority import CaseFacts, SignalFact
from signalhub.domain.vocabulary import Severity, SignalType
from signalhub.store.alerts_repo import children_birth_dates
from signalhub.store.cases import Case, Conference, PlanItem
from signalhub.store.registry import Family, Person, Signal, SignalPerson

__all__ = ["case_facts", "open_work", "person_ids", "surviving_case_id", "surviving_family_id"]

FINISHED = [s.value for s in PlanItemStatus if s.finished]


def case_facts(session: Session, case_id: str, last_closed_at: datetime | None = None) -> CaseFacts:
    rows = session.execute(
        select(Signal.signal_type, Signal.severity, Signal.agency, Signal.occurred_at).where(
            Signal.case_id == case_id
        )
    ).all()
    return CaseFacts(
        signals=tuple(SignalFact(SignalType(t), Severity(s), a, at) for t, s, a, at in rows),
        child_birth_dates=tuple(children_birth_dates(session, case_id)),
        last_closed_at=last_closed_at,
    )


def person_ids(session: Session, case: Case) -> frozenset[str]:
    """Persons the case's signals name, and the persons of its family."""
    named = select(SignalPerson.person_id).join(Signal, Signal.id == SignalPerson.signal_id)
    found = set(session.scalars(named.where(Signal.case_id == case.id)))
    found |= set(session.scalars(select(Person.id).where(Person.family_id == case.family_id)))
    return frozenset(found)


def open_work(session: Session, case_id: str, now: datetime) -> tuple[int, int]:
    """(conferences scheduled after `now`, plan items neither done nor cancelled)."""
    conferences = session.scalar(
        select(func.count())
        .select_from(Conference)
        .where(Conference.case_id == case_id, Conference.scheduled_at > now)
    )
    items = session.scalar(
        select(func.count())
        .select_from(PlanItem)
        .where(PlanItem.case_id == case_id, PlanItem.status.not_in(FINISHED))
    )
    return int(conferences or 0), int(items or 0)


def surviving_case_id(session: Session, case_id: str) -> str:
    """The case a possibly merged case went into in the end."""
    return surviving(case_id, lambda c: session.scalar(select(Case.merged_into).where(Case.id == c)))


def surviving_family_id(session: Session, family_id: str) -> str:
    """The family a possibly merged family went into in the end."""
    return surviving(family_id, lambda f: session.scalar(select(Family.merged_into).where(Family.id == f)))
