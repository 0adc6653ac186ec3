"""Values of the linkage engine: records in, normalised persons, comparisons, decisions out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from signalhub.domain.linkage.address import Address

__all__ = [
    "ANOTHER_PERSON",
    "Band",
    "Comparison",
    "FieldEvidence",
    "LinkDecision",
    "NormalisedPerson",
    "PersonRecord",
]

Sex = Literal["M", "F"]
ANOTHER_PERSON = "another_person"
"""The level of a record's identifier that another person holds (``resolve``): not the record's own."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as one agency wrote it. Any field but ``record_id`` may be missing."""

    record_id: str
    surname: str | None = None
    first_name: str | None = None
    patronymic: str | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None
    snils: str | None = None
    birth_cert: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class NormalisedPerson:
    """A record in comparable form; holds phonetic keys, never the written values.

    ``surname`` is the surname key with its gendered ending folded; ``first_name`` the canonical
    full-name key (diminutives resolved) or the written key when the name is unknown or
    ambiguous; ``first_name_groups`` all full names it may stand for; ``patronymic`` the stem
    shared by the male and female forms; ``sex`` as given or implied by patronymic or first
    name; ``snils`` only when its checksum is valid; ``latin`` when the names were in Latin.
    """

    record_id: str
    surname: str | None
    first_name: str | None
    first_name_key: str | None
    first_name_groups: frozenset[str]
    first_name_approx: bool
    patronymic: str | None
    birth_date: dt.date | None
    sex: Sex | None
    snils: str | None
    birth_cert: str | None
    address: Address | None
    latin: bool


@dataclass(frozen=True, slots=True)
class FieldEvidence:
    """How one field compared: a level such as exact/fuzzy/diminutive/translit/swap/missing/
    disagree and its log2 likelihood-ratio weight. Never holds a personal value."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """Score (sum of weights, log2 likelihood ratio) with its evidence; ``rule`` names the
    rule limiting the band whatever the score (``identity_conflict``, ``identifier_agrees``,
    ``different_identifier``, ``near_identifier_conflict``, ``uncorroborated_date``: see
    ``compare.verdict``), else ``None``."""

    score: float
    evidence: tuple[FieldEvidence, ...]
    rule: str | None = None


class Band(StrEnum):
    """Decision band of a score."""

    MATCH = "match"
    POSSIBLE = "possible"
    NON_MATCH = "non_match"


@dataclass(frozen=True, slots=True)
class LinkDecision:
    """Outcome of resolving a record: the best candidate person (``None`` for a non-match).

    Only a match joins that person; a possible match names the person a reviewer is asked
    about, and the record stays a person of its own until they confirm (precision first)."""

    band: Band
    person_id: str | None
    score: float
    evidence: tuple[FieldEvidence, ...]
    rule: str | None = None

    @property
    def joins(self) -> bool:
        """True when the record joins ``person_id`` (a match)."""
        return self.band is Band.MATCH and self.person_id is not None
