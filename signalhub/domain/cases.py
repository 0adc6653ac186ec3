"""The case state machine: new -> acknowledged -> assessment -> conference_scheduled -> support_plan
-> monitoring -> closed (with an outcome), and reopening (DESIGN.md, "Cases").

A case may skip forward (a conference can be convened straight after acknowledgement) but never
moves back except by reopening; it is closed only with an outcome, never before someone has
acknowledged it, and not while work is still open on it (a future conference, open plan items)
unless the person closing records why. A closed case's plan and conferences are read-only.

Intake decides what a new signal does to a family's cases (`decide_case`): join the open case,
reopen one closed less than `REOPEN_WINDOW` ago, or open a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "OPEN",
    "ORDER",
    "REOPENED_STATUS",
    "REOPEN_WINDOW",
    "TRANSITIONS",
    "CaseAction",
    "CaseRuleError",
    "CaseStatus",
    "ClosingFacts",
    "ConfirmationRequiredError",
    "OpenWorkError",
    "Outcome",
    "PlanItemStatus",
    "ReadOnlyError",
    "TransitionError",
    "advance",
    "allowed_moves",
    "close",
    "decide_case",
    "ensure_open",
    "reopen",
    "reopenable",
]


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSESSMENT = "assessment"
    CONFERENCE_SCHEDULED = "conference_scheduled"
    SUPPORT_PLAN = "support_plan"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Outcome(StrEnum):
    FAMILY_PRESERVED = "family_preserved"
    RETURNED_TO_FAMILY = "returned_to_family"
    GUARDIANSHIP = "guardianship"
    FOSTER_FAMILY = "foster_family"
    INSTITUTION = "institution"
    MOVED_AWAY = "moved_away"


class PlanItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (PlanItemStatus.DONE, PlanItemStatus.CANCELLED)


ORDER: tuple[CaseStatus, ...] = tuple(CaseStatus)
OPEN: frozenset[CaseStatus] = frozenset(s for s in CaseStatus if s is not CaseStatus.CLOSED)
REOPENED_STATUS = CaseStatus.ASSESSMENT
REOPEN_WINDOW = timedelta(days=30)

_WORK = (
    CaseStatus.ASSESSMENT,
    CaseStatus.CONFERENCE_SCHEDULED,
    CaseStatus.SUPPORT_PLAN,
    CaseStatus.MONITORING,
)
# Stage moves (closing has its own rule, `close`): a new case is acknowledged first; later stages
# only forward, skipping allowed.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.ACKNOWLEDGED}),
    CaseStatus.ACKNOWLEDGED: frozenset(_WORK),
    **{s: frozenset(_WORK[i + 1 :]) for i, s in enumerate(_WORK)},
    CaseStatus.CLOSED: frozenset(),
}


class CaseRuleError(ValueError):
    """A case rule refused the request; the message is fixed text naming the rule, never case data.
    `code` names the rule's kind for people (the web UI's message)."""

    code = "rule"


class TransitionError(CaseRuleError):
    """A move the state machine forbids now (answered 409)."""

    code = "state"


class ReadOnlyError(TransitionError):
    """The case is closed: its plan, conferences, dates and curator cannot change."""

    code = "readonly"


class OpenWorkError(TransitionError):
    """Closing while work is still open on the case, without a recorded reason."""

    code = "open-work"


class ConfirmationRequiredError(CaseRuleError):
    """The request needs an explicit confirmation (or a recorded reason) it did not carry (422)."""

    code = "confirm"


def allowed_moves(current: CaseStatus) -> tuple[CaseStatus, ...]:
    """The stages a case may move to from `current`, in their order (what a stage selector offers)."""
    return tuple(s for s in ORDER if s in TRANSITIONS[current])


def advance(current: CaseStatus, target: CaseStatus) -> CaseStatus:
    """Move an open case to `target` (not to closed: use `close`)."""
    if current is CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened first")
    if target is CaseStatus.CLOSED:
        raise TransitionError("closing needs an outcome")
    if target not in TRANSITIONS[current]:
        if current is CaseStatus.NEW:
            raise TransitionError("a new case must be acknowledged first")
        raise TransitionError(f"cannot move from {current} to {target}")
    return target


def ensure_open(current: CaseStatus) -> None:
    """Conferences, the plan, review dates and curators of a closed case are read-only."""
    if current is CaseStatus.CLOSED:
        raise ReadOnlyError("a closed case is read-only: reopen it first")


@dataclass(frozen=True)
class ClosingFacts:
    """What closing checks: work still open on the case, and what the person closing said."""

    future_conferences: int = 0
    open_plan_items: int = 0
    confirmed: bool = False
    reason: str | None = None


def close(current: CaseStatus, outcome: Outcome, facts: ClosingFacts | None = None) -> CaseStatus:
    """Closing with `outcome`: confirmed, after acknowledgement, and with no future conference or
    open plan item unless a reason is recorded. Returns the closed status."""
    facts = facts or ClosingFacts(confirmed=True)
    if current is CaseStatus.CLOSED:
        raise TransitionError("case is already closed")
    if current is CaseStatus.NEW:
        raise TransitionError("a new case must be acknowledged before it is closed")
    if not facts.confirmed:
        raise ConfirmationRequiredError("confirm: closing a case needs an explicit confirmation")
    reason = (facts.reason or "").strip()
    if facts.future_conferences and not reason:
        raise OpenWorkError("a conference is scheduled in the future: record why the case closes anyway")
    if facts.open_plan_items and not reason:
        raise OpenWorkError("plan items are still open: record why the case closes anyway")
    assert isinstance(outcome, Outcome)
    return CaseStatus.CLOSED


def reopen(current: CaseStatus, *, merged: bool = False) -> CaseStatus:
    """A closed case back to work; a merged case comes back only by splitting the merge back."""
    if current is not CaseStatus.CLOSED:
        raise TransitionError(f"only a closed case can be reopened, this one is {current}")
    if merged:
        raise TransitionError("a merged case comes back by undoing the merge, not by reopening")
    return REOPENED_STATUS


class CaseAction(StrEnum):
    JOIN = "join"
    OPEN = "open"
    REOPEN = "reopen"


def reopenable(
    status: CaseStatus, merged_into: str | None, closed_at: datetime | None, now: datetime
) -> bool:
    """A case a new signal of its family may reopen: closed with an outcome (a merged case lives
    on in the case it went into) less than `REOPEN_WINDOW` ago."""
    return (
        status is CaseStatus.CLOSED
        and merged_into is None
        and closed_at is not None
        and now - closed_at <= REOPEN_WINDOW
    )


def decide_case(has_open_case: bool, last_closed_at: datetime | None, now: datetime) -> CaseAction:
    """Join the open case; else reopen one closed within `REOPEN_WINDOW` (a new signal weeks after
    closing means the closure was premature and the same curator carries on); else open a new one.
    `last_closed_at` is the family's last case closed with an outcome (never a merged one)."""
    if has_open_case:
        return CaseAction.JOIN
    if last_closed_at is not None and now - last_closed_at <= REOPEN_WINDOW:
        return CaseAction.REOPEN
    return CaseAction.OPEN
