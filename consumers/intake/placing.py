"""Where a signal goes: the family its people belong to (merging families the signal names
together) and the case of that family it joins, reopens or opens (DESIGN.md, "Cases")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from consumers.intake.casework import Casework
from consumers.intake.linking import Linked
from signalhub.domain.cases import CaseAction, decide_case
from signalhub.domain.families import FAMILY_ROLES, plan_family
from signalhub.store.intake_rows import CaseRow, PersonRow, SignalRow

__all__ = ["family_for", "route"]


def family_for(
    work: Casework,
    persons: dict[str, PersonRow],
    links: Sequence[tuple[Any, Linked]],
    existing: SignalRow | None,
) -> str:
    """The family of the signal's family members (and of the signal it amends): the oldest of
    their families, into which the others are merged, or a new one. Members move into it."""
    members = [link.person_id for p, link in links if p.role in FAMILY_ROLES]
    current = [work.family(f) for f in (persons[m].family_id for m in members) if f is not None]
    if existing is not None and existing.family_id is not None:
        current.append(work.family(existing.family_id))
    plan = plan_family(current, {f: work.families[f].created_at for f in current})
    target = plan.target or work.new_family()
    for old in plan.merged:
        work.merge_family(old, target, cause="signal")
    for m in members:
        if persons[m].family_id != target:
            persons[m].family_id = target
            persons[m].dirty = True
    return target


def route(
    work: Casework, signal: SignalRow, family_id: str, amendment: bool, now: datetime, region_code: str
) -> tuple[CaseAction, CaseRow, datetime | None]:
    """The case the signal belongs to and how it got there, with the closing time of the
    family's last closed case (for the repeat-within-6-months rule). An amendment stays in its
    signal's case (or the case that absorbed it)."""
    if amendment and signal.case_id is not None:
        case = work.case(signal.case_id)
        last = work.last_closed(case.family_id, besides=case.id)
        return CaseAction.JOIN, case, last.closed_at if last else None
    open_case, last = work.open_case(family_id), work.last_closed(family_id)
    last_closed_at = last.closed_at if last else None
    action = decide_case(open_case is not None, last_closed_at, now)
    if action is CaseAction.JOIN and open_case is not None:
        return action, open_case, last_closed_at
    if action is CaseAction.REOPEN and last is not None:
        work.reopen(last)
        return action, last, last_closed_at
    case = work.open_new(family_id, region_code, str(signal.values["municipality_code"]))
    return CaseAction.OPEN, case, last_closed_at
