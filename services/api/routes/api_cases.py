"""Cases in the JSON API: list, detail (an audited read) and every action.

Errors: 401 unauthenticated, 403 role may not do this, 404 no such case in the user's scope,
409 the case's state does not allow it, 422 invalid input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Query
from sqlalchemy import select

from services.api.access import ForbiddenError, require_read
from services.api.actions import case_flow, curators, merge
from services.api.actions.common import Ctx
from services.api.bodies import (
    CloseBody,
    ConferenceBody,
    CuratorBody,
    MergeBody,
    PlanItemBody,
    PlanStatusBody,
    ReopenBody,
    ReviewDateBody,
    SplitBackBody,
    StatusBody,
)
from services.api.deps import ApiUser, DbSession, Svc
from services.api.queries import audit, case_detail
from services.api.queries.cases import CaseFilters, list_cases
from services.api.serialise import case_out, row_out, view_out
from signalhub.store.cases import Case

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])
T = TypeVar("T")


def _run(svc: Svc, session: DbSession, user: ApiUser, action: Callable[[Ctx], T]) -> T:
    """Run one action in one transaction and commit it; exceptions roll it back."""
    result = action(Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone))
    session.commit()
    return result


@router.get("")
def cases(
    svc: Svc,
    session: DbSession,
    user: ApiUser,
    status: str | None = Query("open", description="a status, 'open' (default) or empty for all"),
    priority: str | None = None,
    municipality: str | None = None,
    curator: str | None = Query(None, description="a user id, or 'none' for unassigned"),
    overdue: bool = False,
    limit: int = Query(200, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Cases the user may read, unacknowledged first by deadline."""
    if not user.reads_cases:
        raise ForbiddenError
    f = CaseFilters(status or None, priority, municipality, curator, overdue, limit)
    return [row_out(r) for r in list_cases(session, user, f, svc.clock())]


@router.get("/{case_id}")
def case(case_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    """The case with family, timeline, linkage evidence and priority explanation. Audited."""
    found = require_read(user, session.scalar(select(Case).where(Case.id == case_id)))
    now = svc.clock()
    view = case_detail.load(session, found, now, user)
    audit.record(session, user, "case.read", now, case_id=found.id, detail={"via": "api"})
    session.commit()
    return view_out(view)


@router.post("/{case_id}/acknowledge")
def acknowledge(case_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    return case_out(_run(svc, session, user, lambda c: case_flow.acknowledge(c, case_id)))


@router.post("/{case_id}/status")
def advance(case_id: str, body: StatusBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    return case_out(_run(svc, session, user, lambda c: case_flow.advance_status(c, case_id, body.status)))


@router.post("/{case_id}/curator")
def assign(case_id: str, body: CuratorBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    return case_out(
        _run(
            svc,
            session,
            user,
            lambda c: curators.assign_curator(
                c, case_id, body.curator_id, confirm_other_municipality=body.confirm_other_municipality
            ),
        )
    )


@router.post("/{case_id}/conferences", status_code=201)
def conference(
    case_id: str, body: ConferenceBody, svc: Svc, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    conf = _run(
        svc,
        session,
        user,
        lambda c: case_flow.schedule_conference(
            c,
            case_id,
            scheduled_at=body.scheduled_at,
            agencies=body.agencies,
            protocol=body.protocol,
            recommendations=body.recommendations,
            follow_up_date=body.follow_up_date,
        ),
    )
    return {"id": conf.id, "scheduled_at": conf.scheduled_at.isoformat(), "agencies": conf.agencies}


@router.post("/{case_id}/plan-items", status_code=201)
def plan_item(
    case_id: str, body: PlanItemBody, svc: Svc, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    item = _run(
        svc,
        session,
        user,
        lambda c: case_flow.add_plan_item(
            c, case_id, action=body.action, agency=body.responsible_agency, due_date=body.due_date
        ),
    )
    return {"id": item.id, "status": item.status, "due_date": item.due_date.isoformat()}


@router.patch("/{case_id}/plan-items/{item_id}")
def plan_status(
    case_id: str, item_id: str, body: PlanStatusBody, svc: Svc, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    item = _run(svc, session, user, lambda c: case_flow.update_plan_item(c, case_id, item_id, body.status))
    return {"id": item.id, "status": item.status}


@router.post("/{case_id}/review-date")
def review(case_id: str, body: ReviewDateBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    return case_out(
        _run(svc, session, user, lambda c: case_flow.set_review_date(c, case_id, body.review_date))
    )


@router.post("/{case_id}/close")
def close(case_id: str, body: CloseBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    """Close with an outcome: `confirm` must be true; with a future conference or open plan items
    `reason` must say why the case closes anyway."""
    return case_out(
        _run(
            svc,
            session,
            user,
            lambda c: case_flow.close_case(
                c, case_id, body.outcome, confirmed=body.confirm, reason=body.reason
            ),
        )
    )


@router.post("/{case_id}/reopen")
def reopen(case_id: str, body: ReopenBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    return case_out(_run(svc, session, user, lambda c: case_flow.reopen_case(c, case_id, body.reason)))


@router.post("/{case_id}/merge")
def merge_into(case_id: str, body: MergeBody, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, Any]:
    """Merge the case numbered `source_case_number` into this one (coordinator only): only cases of
    one family or of families sharing a person, with `confirm` true and a `reason`."""
    return case_out(
        _run(
            svc,
            session,
            user,
            lambda c: merge.merge_cases(
                c, case_id, body.source_case_number, confirmed=body.confirm, reason=body.reason
            ),
        )
    )


@router.post("/{case_id}/split-back")
def split_back(
    case_id: str, body: SplitBackBody, svc: Svc, session: DbSession, user: ApiUser
) -> dict[str, Any]:
    """Undo the merge of this (absorbed) case (coordinator only), with `confirm` true and a `reason`."""
    return case_out(
        _run(
            svc,
            session,
            user,
            lambda c: merge.split_back(c, case_id, confirmed=body.confirm, reason=body.reason),
        )
    )
