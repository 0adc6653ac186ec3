"""Who may see and do what. Every route asks this module; nothing else decides access.

- coordinator: every case of the region; every action; the audit log; statistics.
- curator: cases assigned to them and cases of their own municipality; acts on those cases.
- liaison: read-only, cases that their agency signalled (`cases.agencies` holds the agency).
- operator: no case and no personal data; the pipeline, dead letters and statistics.

Out-of-scope cases are reported as not found, so a user cannot probe which case ids exist; the
refusal carries a `Denial`, which the app writes to the audit log.

Need-to-know within a readable case (`signal_view`): a liaison sees their own agency's signals in
full and the others' only as agency, type and date (and only the people their agency named);
health's descriptions (medical secrecy) are for the coordinator and the case's own curator.
"""

from __future__ import annotations

__all__ = ["ForbiddenError", "NotFoundError", "Principal", "Role"]

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, String, cast, false, or_, true

from signalhub.domain.roles import Role
from signalhub.store.cases import Case
from signalhub.store.workplace import User


@dataclass(frozen=True)
class Denial:
    """A refused attempt on an existing case, for the audit log (ids only)."""

    who: Principal
    case_id: str
    wanted: Literal["read", "act"]


class ForbiddenError(Exception):
    """The user's role does not allow this; the message is a fixed text, never case data."""

    def __init__(self, denial: Denial | None = None) -> None:
        super().__init__("forbidden")
        self.denial = denial


class NotFoundError(Exception):
    """No such case, or not one this user may see (then `denial` says who tried)."""

    def __init__(self, denial: Denial | None = None) -> None:
        super().__init__("not found")
        self.denial = denial


SignalView = Literal["full", "without_description", "summary"]
HEALTH = "health"


@dataclass(frozen=True)
class Principal:
    id: str
    username: str
    role: Role
    display_name: str
    municipality_code: str | None
    agency: str | None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            id=user.id,
            username=user.username,
            role=Role(user.role),
            display_name=user.display_name,
            municipality_code=user.municipality_code,
            agency=user.agency,
        )

    @property
    def reads_cases(self) -> bool:
        return self.role is not Role.OPERATOR

    @property
    def acts_on_cases(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CURATOR)


def case_scope(p: Principal) -> ColumnElement[bool]:
    """A WHERE clause selecting exactly the cases `p` may read."""
    if p.role is Role.COORDINATOR:
        return true()
    if p.role is Role.CURATOR:
        own = Case.curator_id == p.id
        if p.municipality_code:
            return or_(own, Case.municipality_code == p.municipality_code)
        return own
    if p.role is Role.LIAISON and p.agency:
        # `agencies` is a JSON list of agency codes; a quoted substring match works on both backends.
        return cast(Case.agencies, String).contains(f'"{p.agency}"')
    return false()


def may_read(p: Principal, case: Case) -> bool:
    if p.role is Role.COORDINATOR:
        return True
    if p.role is Role.CURATOR:
        return case.curator_id == p.id or (
            p.municipality_code is not None and case.municipality_code == p.municipality_code
        )
    if p.role is Role.LIAISON:
        return p.agency is not None and p.agency in (case.agencies or [])
    return False


def signal_view(p: Principal, case: Case, agency: str) -> SignalView:
    """How much of one of `case`'s signals, sent by `agency`, reader `p` sees (module docstring)."""
    if p.role is Role.LIAISON:
        return "full" if agency == p.agency else "summary"
    if agency == HEALTH and not (p.role is Role.COORDINATOR or case.curator_id == p.id):
        return "without_description"
    return "full"


def require_read(p: Principal, case: Case | None) -> Case:
    if case is None:
        raise NotFoundError
    if not may_read(p, case):
        raise NotFoundError(Denial(p, case.id, "read"))
    return case


def require_act(p: Principal, case: Case | None, *, coordinator_only: bool = False) -> Case:
    """The case if `p` may change it; NotFoundError when out of scope, ForbiddenError when read-only."""
    case = require_read(p, case)
    if not p.acts_on_cases or (coordinator_only and p.role is not Role.COORDINATOR):
        raise ForbiddenError(Denial(p, case.id, "act"))
    return case


def require_role(p: Principal, *roles: Role) -> None:
    if p.role not in roles:
        raise ForbiddenError
