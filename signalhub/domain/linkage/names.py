"""Russian name rules on top of the phonetic key: surname endings, diminutives, patronymics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from signalhub.domain.linkage.cache_sizes import VALUES
from signalhub.domain.linkage.phonetic import phonetic_key
from signalhub.domain.linkage.resources import diminutives, surname_endings

__all__ = ["FirstName", "Sex", "first_name", "forms_of", "patronymic", "surname_key"]

Sex = Literal["M", "F"]
_PARTS = re.compile(r"[\s\-‐–—]+")
# Patronymic endings in key space: (ending, characters to strip, sex).
_PATRONYMIC = (
    ("INICHNA", 7, "F"), ("ICHNA", 5, "F"), ("OVNA", 2, "F"), ("EVNA", 2, "F"),
    ("OVICH", 3, "M"), ("EVICH", 3, "M"), ("ICH", 3, "M"),
    ("OGLI", 0, "M"), ("KIZI", 0, "F"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FirstName:
    """A first name read against the diminutive dictionary.

    ``groups`` are the canonical full names it may stand for (one key per male/female pair,
    e.g. Саша -> {ALEKSANDR}); empty when the name is unknown. ``approx`` marks a lookup that
    only succeeded after forgiving one typo.
    """

    key: str
    groups: frozenset[str]
    sex: Sex | None
    approx: bool


@cache
def _ending_map() -> tuple[tuple[str, str], ...]:
    """(ending key, canonical ending key), longest ending first."""
    canonical: dict[str, str] = {}
    mapping: dict[str, str] = {}
    for masc, fem in surname_endings():
        masc_key, fem_key = phonetic_key(masc), phonetic_key(fem)
        target = canonical.setdefault(fem_key, masc_key)
        mapping[fem_key] = target
        mapping[masc_key] = target
    return tuple(sorted(mapping.items(), key=lambda kv: -len(kv[0])))


def _surname_part(key: str) -> str:
    for ending, canonical in _ending_map():
        if key.endswith(ending) and len(key) >= len(ending) + 2:
            return key[: -len(ending)] + canonical
    return key


@lru_cache(maxsize=VALUES)
def surname_key(text: str) -> str:
    """Key of a surname with its gendered ending folded: Иванова/Ivanov -> IVANOV."""
    parts = (phonetic_key(part) for part in _PARTS.split(text))
    return "".join(_surname_part(part) for part in parts if part)


@cache
def _name_table() -> dict[str, tuple[tuple[str, Sex], ...]]:
    """Key of any full name or diminutive -> ((group, sex), ...) it may stand for."""
    males, females, pairs = diminutives()
    group = {female: male for male, female in pairs}
    full: dict[str, set[tuple[str, Sex]]] = {}
    forms: dict[str, set[tuple[str, Sex]]] = {}
    sexes: tuple[tuple[dict[str, list[str]], Sex], ...] = ((males, "M"), (females, "F"))
    for names, sex in sexes:
        for name, variants in names.items():
            entry = (phonetic_key(group.get(name, name)), sex)
            full.setdefault(phonetic_key(name), set()).add(entry)
            for variant in variants:
                forms.setdefault(phonetic_key(variant), set()).add(entry)
    for key, entries in full.items():
        forms.setdefault(key, set()).update(entries)
    return {key: tuple(sorted(entries)) for key, entries in forms.items()}


@cache
def _forms() -> dict[str, frozenset[str]]:
    """Group (canonical full name key) -> the keys of every full name and diminutive of it."""
    out: dict[str, set[str]] = {}
    for key, entries in _name_table().items():
        for group, _ in entries:
            out.setdefault(group, set()).add(key)
    return {group: frozenset(keys) for group, keys in out.items()}


def forms_of(group: str) -> frozenset[str]:
    """The keys of the full names and diminutives of a name group (empty when unknown)."""
    return _forms().get(group, frozenset())


@lru_cache(maxsize=VALUES)
def _approx(key: str) -> tuple[tuple[str, Sex], ...]:
    if len(key) < 4:
        return ()
    table = _name_table()
    hits = process.extract(key, list(table), scorer=Levenshtein.distance, score_cutoff=1, limit=None)
    return tuple(sorted({entry for hit, _, _ in hits for entry in table[hit]}))


@lru_cache(maxsize=VALUES)
def first_name(text: str, sex: Sex | None = None) -> FirstName:
    """Read a first name: its key, the full names it may stand for, the sex it implies."""
    key = phonetic_key(text)
    entries = _name_table().get(key, ())
    approx = not entries
    if approx:
        entries = _approx(key)
    if sex is not None and any(s == sex for _, s in entries):
        entries = tuple(e for e in entries if e[1] == sex)
    if approx and len({g for g, _ in entries}) > 1:
        entries = ()  # a typo close to several names says nothing
    sexes = {s for _, s in entries}
    implied: Sex | None = sexes.pop() if len(sexes) == 1 else None
    return FirstName(key, frozenset(g for g, _ in entries), implied, approx and bool(entries))


@lru_cache(maxsize=VALUES)
def patronymic(text: str) -> tuple[str, Sex | None]:
    """Stem and sex of a patronymic: Александрович/Александровна -> ("ALEKSANDROV", M/F)."""
    key = phonetic_key(text)
    for ending, strip, sex in _PATRONYMIC:
        if key.endswith(ending) and len(key) > len(ending):
            return (key[:-strip] if strip else key), sex  # type: ignore[return-value]
    return key, None
