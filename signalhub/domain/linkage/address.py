"""Address normalisation: the name words, the house and the flat, however they were written.

``"г. Новосибирск, ул. Ленина, д. 12, кв. 34"``, ``"Новосибирск г, Ленина ул 12-34"`` and
``"630000, Новосибирская обл., г Новосибирск, улица Ленина, дом 12, квартира 34"`` all give
names {НОВОСИБИРСК, ЛЕНИНА}, house ``12``, flat ``34``. Region names and postcodes are dropped:
within one region's hub they tell persons nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from signalhub.domain.linkage.resources import address_words

__all__ = ["Address", "normalise_address"]

_TOKEN = re.compile(r"\d+[А-ЯA-Z]?(?:/\d+[А-ЯA-Z]?)?(?:-\d+)?|[А-ЯA-Z]+(?:-[А-ЯA-Z]+)*")


@dataclass(frozen=True, slots=True)
class Address:
    """Normalised address: name words (locality, street), house (with building) and flat."""

    names: frozenset[str]
    house: str | None
    flat: str | None


@cache
def _types() -> frozenset[str]:
    words = address_words()
    return frozenset(words.street_types) | frozenset(words.locality_types)


class _Reader:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.house: str | None = None
        self.flat: str | None = None
        self.pending: str | None = None  # "house" | "flat" | "building" | "skip"

    def number(self, token: str) -> None:
        if "-" in token and self.pending is None:
            house, flat = token.split("-", 1)
            self.house, self.flat = self.house or house, flat
        elif self.pending == "flat" or (self.pending is None and self.house is not None):
            self.flat = self.flat or token
        elif self.pending == "building" and self.house is not None:
            self.house += "К" + token
        elif len(token) == 6 and token.isdigit():
            pass  # a postcode
        else:
            self.house = self.house or token
        self.pending = None

    def word(self, token: str) -> None:
        words = address_words()
        marker = self.pending
        self.pending = None
        if token in words.region:
            if self.names and marker is None:
                self.names.pop()
            else:
                self.pending = "skip"
        elif token in words.flat:
            self.pending = "flat"
        elif token in words.house:
            self.pending = "house"
        elif token in words.building and self.house is not None:
            self.pending = "building"
        elif token in _types() or marker == "skip":
            return
        elif len(token) == 1 and self.house is not None and self.flat is None:
            self.house += token
        else:
            self.names.append(token)


def normalise_address(text: str | None) -> Address | None:
    """Parse an address; ``None`` when it has neither a name word nor a number."""
    if not text:
        return None
    reader = _Reader()
    for token in _TOKEN.findall(text.upper().replace("Ё", "Е")):
        if token[0].isdigit():
            reader.number(token)
        else:
            reader.word(token)
    if not reader.names and reader.house is None:
        return None
    return Address(frozenset(reader.names), reader.house, reader.flat)
