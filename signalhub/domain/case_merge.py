"""Merging two cases of one family, and undoing it (DESIGN.md, "Cases": one open case per family).

- Two open cases may be merged only when they concern one family: the same (surviving) family, or
  two families that share a person. Anything else is refused with the reason: merging two different
  families hides one family's people under the other's case.
- A person merging asks for it explicitly and says why; intake merges when a signal names the two
  families together (they then share that signal's people), and its reason is the signal.
- The older case survives (opened first, ties by id); the other is closed pointing at it
  (`merged_into`), and every id ever handed out keeps leading to the survivor through `surviving`.
- A merge can be split back while the survivor is open: the absorbed case returns to the stage it
  had, with the signals and people it brought.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from signalhub.domain.cases import CaseStatus, ConfirmationRequiredError, TransitionError

__all__ = [
    "MergeRefusedError",
    "MergeSide",
    "check_merge",
    "check_split_back",
    "merged_ack_deadline",
    "older_first",
    "surviving",
]

MAX_CHAIN = 1000


class MergeRefusedError(TransitionError):
    """The two cases may not be merged (answered 409 with the reason)."""

    code = "merge"


@dataclass(frozen=True)
class MergeSide:
    """One case of a merge as the rule sees it; `family_id` is the surviving family."""

    id: str
    status: CaseStatus
    family_id: str
    opened_at: datetime
    person_ids: frozenset[str] = frozenset()


def surviving(start: str, merged_into: Callable[[str], str | None]) -> str:
    """Follow `merged_into` (of a case or a family) to the one that absorbed it in the end."""
    current = start
    for _ in range(MAX_CHAIN):
        nxt = merged_into(current)
        if nxt is None:
            return current
        current = nxt
    raise TransitionError("merged_into chain does not end")


def older_first(a: MergeSide, b: MergeSide) -> tuple[MergeSide, MergeSide]:
    """(survivor, absorbed): the case opened first survives."""
    first, second = sorted((a, b), key=lambda c: (c.opened_at, c.id))
    return first, second


def check_merge(target: MergeSide, source: MergeSide, *, confirmed: bool, reason: str | None) -> None:
    """Refuse a merge the rules forbid; see the module docstring."""
    if target.id == source.id:
        raise MergeRefusedError("a case cannot be merged with itself")
    if CaseStatus.CLOSED in (target.status, source.status):
        raise MergeRefusedError("only open cases can be merged")
    if target.family_id != source.family_id and not (target.person_ids & source.person_ids):
        raise MergeRefusedError("the cases concern different families that share no person")
    if not confirmed:
        raise ConfirmationRequiredError("confirm: merging cases needs an explicit confirmation")
    if not (reason or "").strip():
        raise ConfirmationRequiredError("reason: merging cases needs a reason")


def check_split_back(
    absorbed_status: CaseStatus,
    merged_into: str | None,
    survivor_status: CaseStatus,
    *,
    recorded: bool = True,
    confirmed: bool = True,
    reason: str | None = "-",
) -> None:
    """A merge is undone from the absorbed case, while the case it went into is still open, when
    the merge recorded what it moved (a person's merge does; intake's, of families a signal named
    together, is not undone), confirmed and with a reason."""
    if absorbed_status is not CaseStatus.CLOSED or merged_into is None:
        raise TransitionError("this case was not merged into another")
    if survivor_status is CaseStatus.CLOSED:
        raise TransitionError("the case it was merged into is closed: reopen it first")
    if not recorded:
        raise TransitionError("this merge was made by intake from a signal naming both families")
    if not confirmed:
        raise ConfirmationRequiredError("confirm: undoing a merge needs an explicit confirmation")
    if not (reason or "").strip():
        raise ConfirmationRequiredError("reason: undoing a merge needs a reason")


def merged_ack_deadline(
    survivor_status: CaseStatus, survivor: datetime | None, absorbed: datetime | None
) -> datetime | None:
    """A survivor still waiting for acknowledgement keeps the earlier of the two deadlines."""
    if survivor_status is not CaseStatus.NEW:
        return survivor
    found = [d for d in (survivor, absorbed) if d is not None]
    return min(found) if found else None
