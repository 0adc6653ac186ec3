"""Assigning a case's curator, by the rule of `signalhub.domain.curators`: someone of the case's
municipality, or of another one with an explicit confirmation. Coordinator only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.actions.case_flow import advance_if_acknowledged
from services.api.actions.common import Ctx, InvalidInputError, lock_case, record, status_of
from signalhub.domain.case_events import CaseEventKind as Ev
from signalhub.domain.cases import ensure_open
from signalhub.domain.curators import CURATOR_ROLES, CuratorCandidate, check_curator, local_first
from signalhub.store.cases import Case
from signalhub.store.workplace import User


def _candidate(user: User) -> CuratorCandidate:
    return CuratorCandidate(user.id, user.role, user.active, user.municipality_code)


def assign_curator(
    ctx: Ctx, case_id: str, curator_id: str, *, confirm_other_municipality: bool = False
) -> Case:
    """Assigning a curator to an acknowledged case starts its assessment."""
    case = lock_case(ctx, case_id, coordinator_only=True)
    ensure_open(status_of(case))
    user = ctx.session.get(User, curator_id)
    if user is None:
        raise InvalidInputError("curator_id: no such active curator")
    check_curator(_candidate(user), case.municipality_code, confirmed_other=confirm_other_municipality)
    case.curator_id = user.id
    local = user.municipality_code == case.municipality_code
    record(ctx, case, Ev.CURATOR_ASSIGNED, {"curator_id": user.id, "other_municipality": not local})
    advance_if_acknowledged(ctx, case)
    return case


def candidates(
    session: Session, case: Case
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str | None]]]:
    """(id, name) of the case municipality's curators, and (id, name, municipality) of the others."""
    users = session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(CURATOR_ROLES)).order_by(User.display_name)
    ).all()
    names = {u.id: u.display_name for u in users}
    local, other = local_first([_candidate(u) for u in users], case.municipality_code)
    return [(c.id, names[c.id]) for c in local], [(c.id, names[c.id], c.municipality_code) for c in other]
