"""Merging two open cases that turn out to concern one family.

The source case's family is merged into the target's (families.merged_into), its persons and
signals move to the target, and the source is closed without an outcome, pointing at the target
(`cases.merged_into`). The target's agencies grow by the source's; if that adds an agency, a
`case_escalated` alert goes to the outbox (DESIGN: a new agency joined).
"""

from __future__ import annotations

from sqlalchemy import select, update

from services.api.access import Role, require_role
from services.api.actions.common import Ctx, InvalidInputError, lock_case, record, status_of
from signalhub.domain.cases import CaseStatus, TransitionError
from signalhub.domain.vocabulary import AlertType
from signalhub.store.alerts_repo import raise_case_alert
from signalhub.store.cases import Case
from signalhub.store.registry import Family, Person, Signal


def merge_cases(ctx: Ctx, target_id: str, source_number: str) -> Case:
    """Coordinator only. `source_number` is the other case's number as shown in the queue."""
    require_role(ctx.who, Role.COORDINATOR)
    source_id = ctx.session.scalar(select(Case.id).where(Case.number == source_number.strip()))
    if source_id is None or source_id == target_id:
        raise InvalidInputError("no other case with this number")
    # Lock in a fixed order so two opposite merges cannot deadlock.
    first, second = sorted([target_id, source_id])
    locked = {
        c.id: c
        for c in (lock_case(ctx, first, coordinator_only=True), lock_case(ctx, second, coordinator_only=True))
    }
    target, source = locked[target_id], locked[source_id]
    if CaseStatus.CLOSED in (status_of(target), status_of(source)):
        raise TransitionError("only open cases can be merged")

    family = ctx.session.get(Family, source.family_id)
    if family is not None and source.family_id != target.family_id:
        family.merged_into = target.family_id
        ctx.session.execute(
            update(Person).where(Person.family_id == source.family_id).values(family_id=target.family_id)
        )
    ctx.session.execute(
        update(Signal)
        .where(Signal.case_id == source.id)
        .values(case_id=target.id, family_id=target.family_id)
    )
    if source.priority_score > target.priority_score:
        # The merged case is at least as urgent as the more urgent of the two.
        target.priority_score, target.priority_level = source.priority_score, source.priority_level
        target.priority_rules = list(source.priority_rules or [])
    if target.acknowledged_at is None and source.ack_deadline is not None:
        target.ack_deadline = min(d for d in (target.ack_deadline, source.ack_deadline) if d is not None)
    before = set(target.agencies or [])
    target.agencies = sorted(before | set(source.agencies or []))
    source.status, source.merged_into, source.closed_at = CaseStatus.CLOSED.value, target.id, ctx.now
    record(ctx, source, "merged_into", {"case_id": target.id, "number": target.number})
    event = record(ctx, target, "merged_from", {"case_id": source.id, "number": source.number})
    ctx.session.flush()
    if set(target.agencies) - before:
        raise_case_alert(
            ctx.session,
            target,
            AlertType.CASE_ESCALATED,
            topic=ctx.alert_topic,
            discriminator=f"merge:{event.id}",
            now=ctx.now,
            detail="cases merged: a new agency joined",
        )
    return target
