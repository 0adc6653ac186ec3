"""Package data of the linkage engine, loaded once on first use (never at import time)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["AddressWords", "Translit", "address_words", "diminutives", "surname_endings", "translit"]


@dataclass(frozen=True, slots=True)
class Translit:
    """Tables of the phonetic key: Cyrillic letter -> key, Latin sequence -> key, folds."""

    cyrillic: dict[str, str]
    latin: tuple[tuple[str, str], ...]  # longest sequence first
    folds: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AddressWords:
    """Canonical address vocabulary (see data/address_abbreviations.json)."""

    street_types: dict[str, str]
    locality_types: dict[str, str]
    region: frozenset[str]
    house: frozenset[str]
    flat: frozenset[str]
    building: frozenset[str]


def _load(name: str) -> Any:
    text = resources.files("signalhub.domain.linkage").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@cache
def translit() -> Translit:
    """The transliteration and folding tables."""
    raw = _load("translit.json")
    latin = sorted(raw["latin"].items(), key=lambda kv: -len(kv[0]))
    return Translit(raw["cyrillic"], tuple(latin), tuple((a, b) for a, b in raw["folds"]))


@cache
def diminutives() -> tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, str]]]:
    """(male names -> forms, female names -> forms, male/female pairs sharing diminutives)."""
    raw = _load("diminutives.json")
    return raw["M"], raw["F"], [(m, f) for m, f in raw["pairs"]]


@cache
def surname_endings() -> list[tuple[str, str]]:
    """[masculine, feminine] Cyrillic surname endings."""
    return [(m, f) for m, f in _load("surname_endings.json")["pairs"]]


@cache
def address_words() -> AddressWords:
    """The address vocabulary."""
    raw = _load("address_abbreviations.json")
    return AddressWords(
        street_types=raw["street_types"],
        locality_types=raw["locality_types"],
        region=frozenset(raw["region"]),
        house=frozenset(raw["house"]),
        flat=frozenset(raw["flat"]),
        building=frozenset(raw["building"]),
    )
