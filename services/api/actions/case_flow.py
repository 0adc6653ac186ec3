"""The case's path from acknowledgement to outcome; every state move goes through domain.cases.

Each function runs in the caller's transaction and raises `TransitionError` (the move is not
allowed now), `InvalidInputError`, `access.NotFoundError` or `access.ForbiddenError`; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from services.api.actions.common import Ctx, InvalidInputError, lock_case, record, status_of
from signalhub.domain.cases import ORDER, CaseStatus, Outcome, TransitionError, advance, close, reopen
from signalhub.domain.vocabulary import Agency, AlertType
from signalhub.store.alerts_repo import raise_case_alert
from signalhub.store.cases import Case, Conference, PlanItem
from signalhub.store.workplace import User

PLAN_STATUSES = ("planned", "in_progress", "done", "cancelled")


def _advance_to_at_least(ctx: Ctx, case: Case, target: CaseStatus) -> None:
    current = status_of(case)
    if current is CaseStatus.NEW:
        raise TransitionError("a new case must be acknowledged first")
    if ORDER.index(current) < ORDER.index(target):
        case.status = advance(current, target).value
        record(ctx, case, "status_changed", {"from": current.value, "to": target.value})


def _agencies(values: list[str]) -> list[str]:
    try:
        return sorted({Agency(v).value for v in values})
    except ValueError:
        raise InvalidInputError("unknown agency") from None


def acknowledge(ctx: Ctx, case_id: str) -> Case:
    case = lock_case(ctx, case_id)
    case.status = advance(status_of(case), CaseStatus.ACKNOWLEDGED).value
    case.acknowledged_at = ctx.now
    overdue = case.ack_deadline is not None and ctx.now > case.ack_deadline
    record(ctx, case, "acknowledged", {"late": overdue})
    return case


def advance_status(ctx: Ctx, case_id: str, target: str) -> Case:
    case = lock_case(ctx, case_id)
    try:
        to = CaseStatus(target)
    except ValueError:
        raise InvalidInputError("unknown status") from None
    current = status_of(case)
    case.status = advance(current, to).value
    record(ctx, case, "status_changed", {"from": current.value, "to": to.value})
    return case


def assign_curator(ctx: Ctx, case_id: str, curator_id: str) -> Case:
    """Coordinator only. Assigning a curator to an acknowledged case starts its assessment."""
    case = lock_case(ctx, case_id, coordinator_only=True)
    user = ctx.session.get(User, curator_id)
    if user is None or not user.active or user.role not in ("curator", "coordinator"):
        raise InvalidInputError("no such active curator")
    if status_of(case) is CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened first")
    case.curator_id = user.id
    record(ctx, case, "curator_assigned", {"curator_id": user.id})
    if status_of(case) is CaseStatus.ACKNOWLEDGED:
        _advance_to_at_least(ctx, case, CaseStatus.ASSESSMENT)
    return case


def schedule_conference(
    ctx: Ctx,
    case_id: str,
    *,
    scheduled_at: datetime,
    agencies: list[str],
    protocol: str | None,
    recommendations: str | None,
    follow_up_date: date | None,
) -> Conference:
    """An inter-agency case conference; the case moves to conference_scheduled if not past it."""
    case = lock_case(ctx, case_id)
    if scheduled_at.tzinfo is None:
        raise InvalidInputError("conference time needs a time zone")
    chosen = _agencies(agencies)
    if not chosen:
        raise InvalidInputError("a conference needs at least one agency")
    _advance_to_at_least(ctx, case, CaseStatus.CONFERENCE_SCHEDULED)
    conf = Conference(
        case_id=case.id,
        scheduled_at=scheduled_at,
        agencies=chosen,
        protocol=protocol or None,
        recommendations=recommendations or None,
        follow_up_date=follow_up_date,
        created_by=ctx.who.id,
        created_at=ctx.now,
    )
    ctx.session.add(conf)
    ctx.session.flush()
    record(
        ctx,
        case,
        "conference_scheduled",
        {
            "conference_id": conf.id,
            "at": scheduled_at.isoformat(),
            "agencies": chosen,
            "follow_up_date": follow_up_date.isoformat() if follow_up_date else None,
        },
    )
    return conf


def add_plan_item(ctx: Ctx, case_id: str, *, action: str, agency: str, due_date: date) -> PlanItem:
    case = lock_case(ctx, case_id)
    if not action.strip():
        raise InvalidInputError("a plan item needs an action")
    (responsible,) = _agencies([agency])
    _advance_to_at_least(ctx, case, CaseStatus.SUPPORT_PLAN)
    item = PlanItem(
        case_id=case.id,
        action=action.strip(),
        responsible_agency=responsible,
        due_date=due_date,
        status="planned",
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(item)
    ctx.session.flush()
    record(
        ctx, case, "plan_item_added", {"item_id": item.id, "agency": responsible, "due": due_date.isoformat()}
    )
    return item


def update_plan_item(ctx: Ctx, case_id: str, item_id: str, status: str) -> PlanItem:
    case = lock_case(ctx, case_id)
    if status not in PLAN_STATUSES:
        raise InvalidInputError("unknown plan item status")
    item = ctx.session.scalar(select(PlanItem).where(PlanItem.id == item_id, PlanItem.case_id == case.id))
    if item is None:
        raise InvalidInputError("no such plan item in this case")
    item.status, item.updated_at = status, ctx.now
    record(ctx, case, "plan_item_updated", {"item_id": item.id, "status": status})
    return item


def set_review_date(ctx: Ctx, case_id: str, review_date: date) -> Case:
    case = lock_case(ctx, case_id)
    if status_of(case) is CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened first")
    case.review_date = review_date
    record(ctx, case, "review_date_set", {"review_date": review_date.isoformat()})
    return case


def close_case(ctx: Ctx, case_id: str, outcome: str) -> Case:
    case = lock_case(ctx, case_id)
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise InvalidInputError("unknown outcome") from None
    status, result = close(status_of(case), chosen)
    case.status, case.outcome, case.closed_at = status.value, result.value, ctx.now
    record(ctx, case, "closed", {"outcome": result.value})
    return case


def reopen_case(ctx: Ctx, case_id: str, reason: str | None = None) -> Case:
    """Back to assessment; a `case_reopened` alert goes to the outbox in the same transaction.

    Fails with IntegrityError at flush if the family already has another open case.
    """
    case = lock_case(ctx, case_id)
    case.status = reopen(status_of(case)).value
    case.outcome, case.closed_at = None, None
    event = record(ctx, case, "reopened", {"reason": reason.strip()} if reason and reason.strip() else {})
    ctx.session.flush()
    raise_case_alert(
        ctx.session,
        case,
        AlertType.CASE_REOPENED,
        topic=ctx.alert_topic,
        discriminator=str(event.id),
        now=ctx.now,
        detail="reopened by the regional service",
    )
    return case
