"""``name_frequencies``: how common each surname, first name and patronymic is, from a shipped table.

The same table for every caller (intake, ``signalhub link``, benchmarks), from the first record
on: a value's share does not depend on what a registry happens to hold yet. Values are keyed as
``normalise`` keys them (surname key, canonical first name, patronymic stem).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from signalhub.domain.linkage.names import first_name, patronymic, surname_key

__all__ = ["NameFrequencies", "name_frequencies"]


@dataclass(frozen=True, slots=True)
class NameFrequencies:
    """``TermFrequencies`` over a ranked table: share of a listed value, else the rare share."""

    shares: dict[str, dict[str, float]]
    rare: dict[str, float]

    def share(self, field: str, value: str) -> float | None:
        """Share in [0, 1] of records holding ``value`` in ``field``; ``None`` for other fields."""
        if field not in self.rare:
            return None
        return self.shares[field].get(value, self.rare[field])


def _first_name_key(text: str) -> str:
    name = first_name(text)
    return next(iter(name.groups)) if len(name.groups) == 1 else name.key


_KEYS: dict[str, Callable[[str], str]] = {
    "surname": surname_key,
    "first_name": _first_name_key,
    "patronymic": lambda text: patronymic(text)[0],
}


@cache
def name_frequencies() -> NameFrequencies:
    """The shipped table (``data/name_frequencies.json``), keyed as ``normalise`` keys names."""
    path = resources.files("signalhub.domain.linkage").joinpath("data", "name_frequencies.json")
    raw = json.loads(path.read_text("utf-8"))
    shares: dict[str, dict[str, float]] = {}
    for field, lists in raw["lists"].items():
        top, rare, table = raw["top"][field], raw["rare"][field], shares.setdefault(field, {})
        for ranked in lists:
            for rank, text in enumerate(ranked, start=1):
                key = _KEYS[field](text)
                table[key] = max(table.get(key, 0.0), top / rank, rare)
    return NameFrequencies(shares, dict(raw["rare"]))
