"""What every action shares: the locked case row, the case event, the audit entry, the alert topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.access import Principal, require_act
from services.api.queries import audit
from signalhub.domain.cases import CaseStatus
from signalhub.store.cases import Case, CaseEvent


class InvalidInputError(ValueError):
    """A request the action cannot carry out as given; the message is fixed text, no case data."""


class ConflictError(ValueError):
    """A request the current state forbids (answered 409); the message is fixed text, no names."""


@dataclass(frozen=True)
class Ctx:
    """One action's context: the caller's transaction, who acts, when, where alerts go."""

    session: Session
    who: Principal
    now: datetime
    alert_topic: str


def lock_case(ctx: Ctx, case_id: str, *, coordinator_only: bool = False) -> Case:
    """The case row locked for update (PostgreSQL; SQLite serialises writers anyway), if `who` may act."""
    case = ctx.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    return require_act(ctx.who, case, coordinator_only=coordinator_only)


def status_of(case: Case) -> CaseStatus:
    return CaseStatus(case.status)


def record(ctx: Ctx, case: Case, kind: str, data: dict[str, Any] | None = None) -> CaseEvent:
    """A case event and its audit entry. `data` holds codes, dates and ids, never names."""
    event = CaseEvent(case_id=case.id, at=ctx.now, kind=kind, actor=ctx.who.id, data=data or {})
    ctx.session.add(event)
    case.updated_at = ctx.now
    audit.record(ctx.session, ctx.who, f"case.{kind}", ctx.now, case_id=case.id, detail={"kind": kind})
    return event
