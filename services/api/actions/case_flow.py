"""The case's path from acknowledgement to outcome, every rule from the case model
(`signalhub.domain.cases`, `case_deadlines`): stage moves, read-only closed cases, entered dates,
closing with confirmation, reopening.

Each function runs in the caller's transaction and raises a `CaseRuleError` (the model refused:
409, or 422 for a date or a missing confirmation), `InvalidInputError`, `access.NotFoundError` or
`access.ForbiddenError`; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from services.api.actions.common import Ctx, InvalidInputError, lock_case, record, status_of
from signalhub.domain.case_deadlines import check_conference_time, check_plan_due, check_review_date
from signalhub.domain.case_events import CaseEventKind as Ev
from signalhub.domain.cases import (
    ORDER,
    CaseStatus,
    ClosingFacts,
    Outcome,
    PlanItemStatus,
    advance,
    close,
    ensure_open,
    reopen,
)
from signalhub.domain.vocabulary import Agency, AlertType
from signalhub.store.alerts_repo import raise_case_alert
from signalhub.store.case_reads import open_work
from signalhub.store.cases import Case, Conference, PlanItem

PLAN_STATUSES = tuple(s.value for s in PlanItemStatus)


def _advance_to_at_least(ctx: Ctx, case: Case, target: CaseStatus) -> None:
    current = status_of(case)
    if ORDER.index(current) < ORDER.index(target):
        case.status = advance(current, target).value
        record(ctx, case, Ev.STATUS_CHANGED, {"from": current.value, "to": target.value})


def advance_if_acknowledged(ctx: Ctx, case: Case) -> None:
    """Work on an acknowledged case (a curator assigned) starts its assessment."""
    if status_of(case) is CaseStatus.ACKNOWLEDGED:
        _advance_to_at_least(ctx, case, CaseStatus.ASSESSMENT)


def _agencies(values: list[str]) -> list[str]:
    try:
        return sorted({Agency(v).value for v in values})
    except ValueError:
        raise InvalidInputError("agencies: unknown agency") from None


def _open_case(ctx: Ctx, case_id: str) -> Case:
    """The locked case, refused when closed (its plan and conferences are read-only)."""
    case = lock_case(ctx, case_id)
    ensure_open(status_of(case))
    return case


def acknowledge(ctx: Ctx, case_id: str) -> Case:
    case = lock_case(ctx, case_id)
    case.status = advance(status_of(case), CaseStatus.ACKNOWLEDGED).value
    case.acknowledged_at = ctx.now
    overdue = case.ack_deadline is not None and ctx.now > case.ack_deadline
    record(ctx, case, Ev.ACKNOWLEDGED, {"late": overdue})
    return case


def advance_status(ctx: Ctx, case_id: str, target: str) -> Case:
    case = lock_case(ctx, case_id)
    try:
        to = CaseStatus(target)
    except ValueError:
        raise InvalidInputError("status: unknown status") from None
    current = status_of(case)
    case.status = advance(current, to).value
    record(ctx, case, Ev.STATUS_CHANGED, {"from": current.value, "to": to.value})
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
    case = _open_case(ctx, case_id)
    check_conference_time(scheduled_at, ctx.now)
    if follow_up_date is not None:
        check_review_date(follow_up_date, ctx.today, field="follow_up_date")
    chosen = _agencies(agencies)
    if not chosen:
        raise InvalidInputError("agencies: a conference needs at least one agency")
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
    follow_up = follow_up_date.isoformat() if follow_up_date else None
    record(
        ctx,
        case,
        Ev.CONFERENCE_SCHEDULED,
        {
            "conference_id": conf.id,
            "at": scheduled_at.isoformat(),
            "agencies": chosen,
            "follow_up_date": follow_up,
        },
    )
    return conf


def add_plan_item(ctx: Ctx, case_id: str, *, action: str, agency: str, due_date: date) -> PlanItem:
    case = _open_case(ctx, case_id)
    if not action.strip():
        raise InvalidInputError("action: a plan item needs an action")
    check_plan_due(due_date, case.opened_at.date())
    (responsible,) = _agencies([agency])
    _advance_to_at_least(ctx, case, CaseStatus.SUPPORT_PLAN)
    item = PlanItem(
        case_id=case.id,
        action=action.strip(),
        responsible_agency=responsible,
        due_date=due_date,
        status=PlanItemStatus.PLANNED.value,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(item)
    ctx.session.flush()
    data = {"item_id": item.id, "agency": responsible, "due": due_date.isoformat()}
    record(ctx, case, Ev.PLAN_ITEM_ADDED, data)
    return item


def update_plan_item(ctx: Ctx, case_id: str, item_id: str, status: str) -> PlanItem:
    case = _open_case(ctx, case_id)
    if status not in PLAN_STATUSES:
        raise InvalidInputError("status: unknown plan item status")
    item = ctx.session.scalar(select(PlanItem).where(PlanItem.id == item_id, PlanItem.case_id == case.id))
    if item is None:
        raise InvalidInputError("item_id: no such plan item in this case")
    item.status, item.updated_at = status, ctx.now
    record(ctx, case, Ev.PLAN_ITEM_UPDATED, {"item_id": item.id, "status": status})
    return item


def set_review_date(ctx: Ctx, case_id: str, review_date: date) -> Case:
    case = _open_case(ctx, case_id)
    check_review_date(review_date, ctx.today)
    case.review_date = review_date
    record(ctx, case, Ev.REVIEW_DATE_SET, {"review_date": review_date.isoformat()})
    return case


def close_case(
    ctx: Ctx, case_id: str, outcome: str, *, confirmed: bool = False, reason: str | None = None
) -> Case:
    """Close with an outcome, confirmed; with a future conference or open plan items only when
    `reason` says why (recorded in the event)."""
    case = lock_case(ctx, case_id)
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise InvalidInputError("outcome: unknown outcome") from None
    conferences, items = open_work(ctx.session, case.id, ctx.now)
    why = (reason or "").strip() or None
    facts = ClosingFacts(
        future_conferences=conferences, open_plan_items=items, confirmed=confirmed, reason=why
    )
    case.status = close(status_of(case), chosen, facts).value
    case.outcome, case.closed_at = chosen.value, ctx.now
    data: dict[str, object] = {"outcome": chosen.value}
    if why and (conferences or items):
        data |= {"reason": why, "future_conferences": conferences, "open_plan_items": items}
    record(ctx, case, Ev.CLOSED, data)
    return case


def reopen_case(ctx: Ctx, case_id: str, reason: str | None = None) -> Case:
    """Back to assessment; a `case_reopened` alert goes to the outbox in the same transaction.

    Fails with IntegrityError at flush if the family already has another open case.
    """
    case = lock_case(ctx, case_id)
    case.status = reopen(status_of(case), merged=case.merged_into is not None).value
    case.outcome, case.closed_at = None, None
    event = record(
        ctx, case, Ev.CASE_REOPENED, {"reason": reason.strip()} if reason and reason.strip() else {}
    )
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
