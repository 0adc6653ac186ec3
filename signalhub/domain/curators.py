"""Who may be a case's curator: an active curator or coordinator of the case's municipality.
Choosing one of another municipality (or a regional coordinator with none) needs an explicit
confirmation, since the curator visits the family."""

from __future__ import annotations

from dataclasses import dataclass

from signalhub.domain.cases import CaseRuleError, ConfirmationRequiredError

__all__ = [
    "CURATOR_ROLES",
    "CuratorCandidate",
    "CuratorRefusedError",
    "check_curator",
    "is_local",
    "local_first",
]

CURATOR_ROLES = ("curator", "coordinator")


class CuratorRefusedError(CaseRuleError):
    """The user cannot be this case's curator (answered 422)."""

    code = "input"


@dataclass(frozen=True)
class CuratorCandidate:
    id: str
    role: str
    active: bool
    municipality_code: str | None


def is_local(candidate: CuratorCandidate, case_municipality: str) -> bool:
    return candidate.municipality_code == case_municipality


def check_curator(candidate: CuratorCandidate, case_municipality: str, *, confirmed_other: bool) -> None:
    if not candidate.active or candidate.role not in CURATOR_ROLES:
        raise CuratorRefusedError("curator_id: no such active curator")
    if not is_local(candidate, case_municipality) and not confirmed_other:
        raise ConfirmationRequiredError(
            "confirm_other_municipality: the curator works in another municipality; confirm the choice"
        )


def local_first(
    candidates: list[CuratorCandidate], case_municipality: str
) -> tuple[list[CuratorCandidate], list[CuratorCandidate]]:
    """(the case municipality's candidates, everyone else), each active and of a curator role."""
    usable = [c for c in candidates if c.active and c.role in CURATOR_ROLES]
    return [c for c in usable if is_local(c, case_municipality)], [
        c for c in usable if not is_local(c, case_municipality)
    ]
