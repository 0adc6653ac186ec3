"""Retention: personal data kept only as long as its purpose lasts (152-FZ).

- Signals received before `now - signal_retention_days` that belong to no open case.
- Closed cases closed before `now - closed_case_retention_days`: their signals, the free texts of
  their conferences, plan and history, and the persons of their family unless the family has an
  open case again.
`anonymise` nulls personal fields, drops payloads and evidence and sets `anonymised_at`;
`delete` removes the rows (persons still named by a kept signal are anonymised instead). Returns
counts by (kind, action); never logs or returns content. Rows already anonymised are left alone,
so a pass is idempotent and passes in several processes do no harm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Exists, delete, exists, select, update
from sqlalchemy.orm import Session, aliased

from services.scheduler.settings import SchedulerSettings
from signalhub.store.cases import Case, CaseEvent, Conference, PlanItem
from signalhub.store.registry import Person, PersonKey, Signal, SignalPerson

PERSONAL = dict(
    surname=None, first_name=None, patronymic=None, birth_date=None, snils=None, birth_cert=None, address=None
)
REMOVED_TEXT = "(удалено по сроку хранения)"


def apply_retention(session: Session, now: datetime, settings: SchedulerSettings) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    action = "deleted" if settings.retention_action == "delete" else "anonymised"
    old_signals = _old_signals(
        session, now - timedelta(days=settings.signal_retention_days), settings.retention_batch
    )
    counts["signal", action] += _signals(session, old_signals, now, action)
    cutoff = now - timedelta(days=settings.closed_case_retention_days)
    for case in _old_cases(session, cutoff, settings.retention_batch):
        of_case = select(Signal.id).where(Signal.case_id == case.id)
        if action == "anonymised":
            of_case = of_case.where(Signal.anonymised_at.is_(None))
        counts["signal", action] += _signals(session, list(session.scalars(of_case)), now, action)
        counts["person", action] += _persons(session, case, cutoff, now, action)
        _case_texts(session, case, action)
        counts["case", action] += 1
    return +counts


def _old_signals(session: Session, cutoff: datetime, limit: int) -> list[str]:
    in_open_case = exists().where(Case.id == Signal.case_id, Case.status != "closed")
    stmt = select(Signal.id).where(Signal.received_at < cutoff, Signal.anonymised_at.is_(None), ~in_open_case)
    return list(session.scalars(stmt.limit(limit)))


def _family_active(cutoff: datetime) -> Exists:
    """Another case of the same family still within its purpose: open, or closed after the cutoff."""
    other = aliased(Case)
    return exists().where(
        other.family_id == Case.family_id,
        other.id != Case.id,
        (other.status != "closed") | (other.closed_at >= cutoff),
    )


def _old_cases(session: Session, cutoff: datetime, limit: int) -> list[Case]:
    """Closed cases past the cutoff with something personal left."""
    signals_left = exists().where(Signal.case_id == Case.id, Signal.anonymised_at.is_(None))
    persons_left = exists().where(Person.family_id == Case.family_id, Person.anonymised_at.is_(None))
    stmt = select(Case).where(
        Case.status == "closed",
        Case.closed_at < cutoff,
        signals_left | (persons_left & ~_family_active(cutoff)),
    )
    return list(session.scalars(stmt.order_by(Case.closed_at).limit(limit)))


def _signals(session: Session, ids: Sequence[str], now: datetime, action: str) -> int:
    if not ids:
        return 0
    if action == "deleted":
        session.execute(update(Signal).where(Signal.corroborates_id.in_(ids)).values(corroborates_id=None))
        session.execute(delete(SignalPerson).where(SignalPerson.signal_id.in_(ids)))
        session.execute(delete(Signal).where(Signal.id.in_(ids)))
    else:
        session.execute(update(SignalPerson).where(SignalPerson.signal_id.in_(ids)).values(evidence=[]))
        session.execute(update(Signal).where(Signal.id.in_(ids)).values(payload=None, anonymised_at=now))
    return len(ids)


def _persons(session: Session, case: Case, cutoff: datetime, now: datetime, action: str) -> int:
    """The family's persons, unless another case of the family still needs them."""
    active = session.scalar(
        select(Case.id)
        .where(Case.family_id == case.family_id, Case.id != case.id)
        .where((Case.status != "closed") | (Case.closed_at >= cutoff))
        .limit(1)
    )
    if active is not None:
        return 0
    ids = list(
        session.scalars(
            select(Person.id).where(Person.family_id == case.family_id, Person.anonymised_at.is_(None))
        )
    )
    if not ids:
        return 0
    session.execute(delete(PersonKey).where(PersonKey.person_id.in_(ids)))
    named = set(session.scalars(select(SignalPerson.person_id).where(SignalPerson.person_id.in_(ids))))
    removable = [pid for pid in ids if pid not in named] if action == "deleted" else []
    kept = [pid for pid in ids if pid not in removable]
    if removable:
        session.execute(delete(Person).where(Person.id.in_(removable)))
    if kept:
        session.execute(update(Person).where(Person.id.in_(kept)).values(**PERSONAL, anonymised_at=now))
    return len(ids)


def _case_texts(session: Session, case: Case, action: str) -> None:
    """Free texts may name people: conference protocols, plan actions, history details."""
    if action == "deleted":
        for table in (PlanItem, Conference, CaseEvent):
            session.execute(delete(table).where(table.case_id == case.id))
        session.execute(update(Case).where(Case.merged_into == case.id).values(merged_into=None))
        session.execute(delete(Case).where(Case.id == case.id))
        return
    session.execute(
        update(Conference).where(Conference.case_id == case.id).values(protocol=None, recommendations=None)
    )
    session.execute(update(PlanItem).where(PlanItem.case_id == case.id).values(action=REMOVED_TEXT))
    session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(data={}))
