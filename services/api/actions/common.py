"""What every action shares: the locked case row, the case event, the audit entry, the alert topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.access import Principal, require_act
from services.api.queries import audit
from signalhub.domain.case_events import CaseEventKind
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
    zone: ZoneInfo  # the region's (`Settings.region()`)

    @property
    def today(self) -> date:
        """The region's local date (what "in the past" means for entered dates)."""
        return self.now.astimezone(self.zone).date()


def lock_case(ctx: Ctx, case_id: str, *, coordinator_only: bool = False) -> Case:
    """The case row locked for update (PostgreSQL; SQLite serialises writers anyway), if `who` may act."""
    case = ctx.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    return require_act(ctx.who, case, coordinator_only=coordinator_only)


def status_of(case: Case) -> CaseStatus:
    return CaseStatus(case.status)


def record(ctx: Ctx, case: Case, kind: CaseEventKind, data: dict[str, Any] | None = None) -> CaseEvent:
    """A case event and its audit entry (`case.<kind>`, without the kind's own `case_` prefix).
    `data` holds codes, dates and ids, never names."""
    event = CaseEvent(case_id=case.id, at=ctx.now, kind=kind.value, actor=ctx.who.id, data=data or {})
    ctx.session.add(event)
    case.updated_at = ctx.now
    action = "case." + kind.value.removeprefix("case_")
    audit.record(ctx.session, ctx.who, action, ctx.now, case_id=case.id, detail={"kind": kind.value})
    return event
