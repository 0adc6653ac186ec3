"""Families: the persons that signals name together (children with their parents).

Pure rules. A signal's children and parents (mother, father, guardian) belong to one family; a
relative or another adult named in a signal is linked as a person but does not pull families
together (a neighbour who called the police is not family). When the members already belong to
several families, those families merge into the oldest one (created first, ties by id), so every
family id ever handed out keeps pointing at the surviving family through `merged_into`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from signalhub.domain.vocabulary import PersonRole

__all__ = ["FAMILY_ROLES", "FamilyPlan", "plan_family"]

FAMILY_ROLES: frozenset[PersonRole] = frozenset(
    {PersonRole.CHILD, PersonRole.MOTHER, PersonRole.FATHER, PersonRole.GUARDIAN}
)


@dataclass(frozen=True)
class FamilyPlan:
    """`target` is the surviving family (None: found a new one); `merged` are folded into it."""

    target: str | None
    merged: tuple[str, ...]


def plan_family(member_families: Iterable[str | None], created: Mapping[str, datetime]) -> FamilyPlan:
    """Decide the family of a signal's members from the families they already have.

    `member_families` are the current (already resolved) family ids of the family members, None
    for a person without a family; `created` gives each family's creation time.
    """
    found = sorted({f for f in member_families if f is not None}, key=lambda f: (created[f], f))
    if not found:
        return FamilyPlan(None, ())
    return FamilyPlan(found[0], tuple(found[1:]))
