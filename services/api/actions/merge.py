"""Merging two open cases of one family, and splitting a merge back (coordinator only); the rules
are the case model's (`signalhub.domain.case_merge`).

A merge moves the source case's signals (and, when the families differ, its family's persons) to
the target, closes the source pointing at the target, and reassesses the target's priority from
its signals. The `merged_into` event records what moved, so a coordinator can split it back: the
source returns to the stage it had, with its signals and persons, and both are reassessed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from services.api.access import Role, require_role
from services.api.actions.common import Ctx, InvalidInputError, lock_case, record, status_of
from signalhub.domain.case_events import CaseEventKind as Ev
from signalhub.domain.case_merge import MergeSide, check_merge, check_split_back, merged_ack_deadline
from signalhub.domain.case_priority import reassess
from signalhub.domain.cases import CaseStatus
from signalhub.domain.priority import AckDeadlines
from signalhub.domain.vocabulary import AlertType
from signalhub.store.alerts_repo import raise_case_alert
from signalhub.store.case_reads import case_facts, person_ids, surviving_family_id
from signalhub.store.cases import Case, CaseEvent
from signalhub.store.registry import Family, Person, Signal


def _lock_pair(ctx: Ctx, a: str, b: str) -> tuple[Case, Case]:
    """Both cases locked in a fixed order, so two opposite merges cannot deadlock."""
    first, second = sorted([a, b])
    locked = {
        c.id: c
        for c in (lock_case(ctx, first, coordinator_only=True), lock_case(ctx, second, coordinator_only=True))
    }
    return locked[a], locked[b]


def _side(ctx: Ctx, case: Case) -> MergeSide:
    family = surviving_family_id(ctx.session, case.family_id)
    return MergeSide(case.id, status_of(case), family, case.opened_at, person_ids(ctx.session, case))


def _reassess(ctx: Ctx, case: Case, deadlines: AckDeadlines) -> None:
    """Score, explanation, agencies and deadline recomputed from the case's own signals."""
    ctx.session.flush()
    result = reassess(
        case_facts(ctx.session, case.id),
        status=status_of(case),
        ack_deadline=case.ack_deadline,
        now=ctx.now,
        deadlines=deadlines,
    )
    case.priority_score, case.priority_level = result.priority.score, result.priority.level.value
    case.priority_rules, case.agencies = result.rules, list(result.agencies)
    case.ack_deadline = result.ack_deadline


def merge_cases(
    ctx: Ctx, target_id: str, source_number: str, *, confirmed: bool = False, reason: str | None = None
) -> Case:
    """Merge the case numbered `source_number` (as shown in the queue) into `target_id`."""
    require_role(ctx.who, Role.COORDINATOR)
    source_id = ctx.session.scalar(select(Case.id).where(Case.number == source_number.strip()))
    if source_id is None:
        raise InvalidInputError("source_case_number: no case with this number")
    target, source = _lock_pair(ctx, target_id, source_id)
    target_side, source_side = _side(ctx, target), _side(ctx, source)
    check_merge(target_side, source_side, confirmed=confirmed, reason=reason)

    source_status = status_of(source)
    moved_signals = list(ctx.session.scalars(select(Signal.id).where(Signal.case_id == source.id)))
    moved_family, moved_persons = None, []
    if source_side.family_id != target_side.family_id:
        moved_family = source_side.family_id
        moved_persons = list(ctx.session.scalars(select(Person.id).where(Person.family_id == moved_family)))
        family = ctx.session.get(Family, moved_family)
        assert family is not None
        family.merged_into = target_side.family_id
        ctx.session.execute(
            update(Person).where(Person.family_id == moved_family).values(family_id=target_side.family_id)
        )
    ctx.session.execute(
        update(Signal)
        .where(Signal.case_id == source.id)
        .values(case_id=target.id, family_id=target_side.family_id)
    )
    before = set(target.agencies or [])
    target.ack_deadline = merged_ack_deadline(status_of(target), target.ack_deadline, source.ack_deadline)
    source.status, source.merged_into, source.closed_at = CaseStatus.CLOSED.value, target.id, ctx.now
    _reassess(ctx, target, AckDeadlines())
    why = (reason or "").strip()
    record(ctx, source, Ev.MERGED_INTO, {
        "case_id": target.id, "cause": "workplace", "reason": why, "status_before": source_status.value,
        "family_id": moved_family, "signal_ids": moved_signals, "person_ids": moved_persons,
    })  # fmt: skip
    event = record(ctx, target, Ev.MERGED_FROM, {"case_id": source.id, "cause": "workplace", "reason": why})
    ctx.session.flush()
    if set(target.agencies) - before:
        raise_case_alert(
            ctx.session, target, AlertType.CASE_ESCALATED, topic=ctx.alert_topic,
            discriminator=f"merge:{event.id}", now=ctx.now, detail="cases merged: a new agency joined",
        )  # fmt: skip
    return target


def _merge_record(ctx: Ctx, case: Case) -> dict[str, Any] | None:
    row = ctx.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == Ev.MERGED_INTO.value)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).first()
    data = row.data if row is not None else None
    return data if data and "signal_ids" in data else None


def split_back(ctx: Ctx, case_id: str, *, confirmed: bool = False, reason: str | None = None) -> Case:
    """Undo the merge of `case_id` (the absorbed case) into the case it went into."""
    require_role(ctx.who, Role.COORDINATOR)
    absorbed = lock_case(ctx, case_id, coordinator_only=True)
    if absorbed.merged_into is None:
        check_split_back(status_of(absorbed), None, status_of(absorbed))
    assert absorbed.merged_into is not None
    absorbed, survivor = _lock_pair(ctx, absorbed.id, absorbed.merged_into)
    data = _merge_record(ctx, absorbed)
    check_split_back(
        status_of(absorbed), absorbed.merged_into, status_of(survivor),
        recorded=data is not None, confirmed=confirmed, reason=reason,
    )  # fmt: skip
    assert data is not None
    if data.get("family_id"):
        family = ctx.session.get(Family, data["family_id"])
        assert family is not None
        family.merged_into = None
        persons = list(data.get("person_ids") or [])
        if persons:
            ctx.session.execute(update(Person).where(Person.id.in_(persons)).values(family_id=family.id))
    signals = list(data.get("signal_ids") or [])
    if signals:
        ctx.session.execute(
            update(Signal)
            .where(Signal.id.in_(signals))
            .values(case_id=absorbed.id, family_id=absorbed.family_id)
        )
    absorbed.status = CaseStatus(data.get("status_before", CaseStatus.ASSESSMENT.value)).value
    absorbed.merged_into, absorbed.closed_at = None, None
    for case in (absorbed, survivor):
        _reassess(ctx, case, AckDeadlines())
    why = (reason or "").strip()
    record(ctx, absorbed, Ev.MERGE_UNDONE, {"case_id": survivor.id, "reason": why})
    record(ctx, survivor, Ev.MERGE_UNDONE, {"case_id": absorbed.id, "reason": why})
    return absorbed
