"""The case state machine: new -> acknowledged -> assessment -> conference_scheduled -> support_plan
-> monitoring -> closed (with an outcome), and reopening.

A case may skip forward (a conference can be convened straight after acknowledgement) but never
moves back except by reopening, and it is closed only with an outcome, never before someone has
acknowledged it.
"""

from __future__ import annotations

from enum import StrEnum


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


ORDER: tuple[CaseStatus, ...] = tuple(CaseStatus)
OPEN: frozenset[CaseStatus] = frozenset(s for s in CaseStatus if s is not CaseStatus.CLOSED)
REOPENED_STATUS = CaseStatus.ASSESSMENT


class TransitionError(ValueError):
    """A move the state machine forbids; the message names both states, never case data."""


def advance(current: CaseStatus, target: CaseStatus) -> CaseStatus:
    """Move an open case forward to `target` (not to closed: use `close`)."""
    if current is CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened first")
    if target is CaseStatus.CLOSED:
        raise TransitionError("closing needs an outcome")
    if target is CaseStatus.NEW or ORDER.index(target) <= ORDER.index(current):
        raise TransitionError(f"cannot move from {current} to {target}")
    if current is CaseStatus.NEW and target is not CaseStatus.ACKNOWLEDGED:
        raise TransitionError("a new case must be acknowledged first")
    return target


def close(current: CaseStatus, outcome: Outcome) -> tuple[CaseStatus, Outcome]:
    if current is CaseStatus.CLOSED:
        raise TransitionError("case is already closed")
    if current is CaseStatus.NEW:
        raise TransitionError("a new case must be acknowledged before it is closed")
    return CaseStatus.CLOSED, outcome


def reopen(current: CaseStatus) -> CaseStatus:
    if current is not CaseStatus.CLOSED:
        raise TransitionError(f"only a closed case can be reopened, this one is {current}")
    return REOPENED_STATUS
