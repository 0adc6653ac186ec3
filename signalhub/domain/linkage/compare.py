"""``compare``: Fellegi–Sunter score of two normalised persons, and the limits evidence sets on
its band (``verdict``): no single field decides, however strong."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import OSA

from signalhub.domain.linkage.config import LinkageConfig, default_config
from signalhub.domain.linkage.fields import (
    address_level,
    date_level,
    first_name_level,
    names_crossed,
    names_swapped,
    patronymic_level,
    surname_level,
)
from signalhub.domain.linkage.frequencies import name_frequencies
from signalhub.domain.linkage.model import Comparison, FieldEvidence, NormalisedPerson

__all__ = [
    "AGREE", "TermFrequencies", "compare", "field_levels", "field_weight", "head_levels", "identifier_level",
    "identifier_levels", "levels_of", "score", "verdict", "weigh",
]  # fmt: skip

AGREE = frozenset({"exact", "translit", "diminutive"})  # name levels weighed by frequency
_SAME_BIRTH = frozenset({"exact", "swap", "near"})
_IDENTIFIERS = frozenset({"snils", "birth_cert"})
_TF_FIELDS = frozenset({"surname", "first_name", "patronymic"})
_CORRECTIONS = {"child_far": "birth_date", "twins": "twins", "siblings": "siblings"}
_NEAR_BIRTH = frozenset({"near", "typo"})
_CORROBORATING = frozenset({"exact", "house", "street"})  # the same street of the same town
_SAME_SURNAME = frozenset({"exact", "translit", "fuzzy"})
_ID_TYPO_DIGITS = 2  # an identifier this many edits (or a transposition) away is a typo
_NAMES_APART = frozenset({"disagree", "missing", "cross"})
_SAME_DATE = frozenset({"exact", "swap"})
_FAMILY = "family"  # a relative named with the record matches one of the candidate's (``family``)


class TermFrequencies(Protocol):
    """Share of records holding a value of a field (``surname``, ``first_name``, ``patronymic``)."""

    def share(self, field: str, value: str) -> float | None:
        """Frequency in [0, 1], or ``None`` when not known well enough."""
        ...


def _is_child(born: dt.date | None, config: LinkageConfig) -> bool:
    if born is None:
        return False
    today = config.reference_date or dt.date.today()
    return (today - born).days < config.child_age_years * 365.25


def _split(value: str) -> tuple[str, str]:
    digits = len(value) - len(value.rstrip("0123456789"))
    return value[: len(value) - digits], value[len(value) - digits :]


def identifier_level(a: str | None, b: str | None) -> str:
    """exact | typo (one or two digits of the number, a transposition, or only the series,
    differ) | disagree (another identifier of the kind) | missing."""
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    (series_a, number_a), (series_b, number_b) = _split(a), _split(b)
    if number_a == number_b or (series_a == series_b and OSA.distance(number_a, number_b) <= _ID_TYPO_DIGITS):
        return "typo"
    return "disagree"


def verdict(levels: dict[str, str]) -> str | None:
    """The rule that limits the band of a pair, whatever its score (``compare`` docstring):

    ``identity_conflict``: a valid identifier agrees but the birth date and the first name
    disagree (a parent's or sibling's identifier typed in; a surname may change on marriage):
    a possible match, never more, never less (the surname and the house agreeing say nothing
    against it: a sibling's or a parent's record shares both).
    ``identifier_agrees``: a valid identifier agrees: at least a possible match.
    ``different_identifier``: none agrees and two valid identifiers of one kind differ beyond a
    typo, while a name or the birth date does not agree (missing, another, or a day or a digit
    off): at most a possible match. Different identifiers say two persons; only both names and
    the same birth date (``_own_data_agree``) outweigh them (an identifier of another person typed
    in), however little a fitted model weighs the difference. Namesakes a digit apart, another
    surname at the same flat, a record with no birth date: a person looks at them.
    ``near_identifier_conflict``: no identifier agrees but one is a typo apart (one or two
    digits, a transposition) while the birth date and the first name disagree: at most a
    possible match (the near number corroborates nothing when the person's own data differ:
    another person's identifier, a relative's, or a chance neighbour of the number).
    ``uncorroborated_date``: a birth date a day or a digit off with no identifier, no street of
    the same town (``exact``, ``house``, ``street``; another street with the same house number,
    ``near_house``, is none) and no family member in common: at most a possible match (namesakes
    are common, however rare their name looks; one living on the same street is not).
    """
    identifiers = (levels.get("snils"), levels.get("birth_cert"))
    own_data_differ = levels["birth_date"] == "disagree" and levels["first_name"] == "disagree"
    if "exact" in identifiers:
        return "identity_conflict" if own_data_differ else "identifier_agrees"
    if "disagree" in identifiers and not _own_data_agree(levels):
        return "different_identifier"
    if "typo" in identifiers and own_data_differ:
        return "near_identifier_conflict"
    corroborated = (
        "typo" in identifiers or levels["address"] in _CORROBORATING or levels.get(_FAMILY) == "agrees"
    )
    if levels["birth_date"] in _NEAR_BIRTH and not corroborated:
        return "uncorroborated_date"
    return None


def _own_data_agree(levels: dict[str, str]) -> bool:
    """Both names present and agreeing (a typo, a diminutive, a spelling, swapped) and the birth
    date the same (or its day and month swapped): all that outweighs a different identifier."""
    return (
        levels["surname"] not in _NAMES_APART
        and levels["first_name"] not in _NAMES_APART
        and levels["birth_date"] in _SAME_DATE
    )


def head_levels(a: NormalisedPerson, b: NormalisedPerson) -> dict[str, str]:
    """The levels that settle most pairs, cheaply: surname, first name, birth date, identifiers
    (``resolve`` bounds a candidate's score from them before comparing the rest)."""
    snils, birth_cert = identifier_levels(a, b)
    return {
        "surname": surname_level(a, b),
        "first_name": first_name_level(a, b),
        "birth_date": date_level(a.birth_date, b.birth_date),
        "snils": snils,
        "birth_cert": birth_cert,
    }


def identifier_levels(a: NormalisedPerson, b: NormalisedPerson) -> tuple[str, str]:
    """The SNILS (its body, without the check digits) and birth certificate levels of a pair."""
    snils_a, snils_b, cert_a, cert_b = a.snils, b.snils, a.birth_cert, b.birth_cert
    return (
        "missing" if snils_a is None or snils_b is None else identifier_level(snils_a[:9], snils_b[:9]),
        "missing" if cert_a is None or cert_b is None else identifier_level(cert_a, cert_b),
    )


def field_levels(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig,
    head: dict[str, str] | None = None,
    family: bool = False,
) -> dict[str, str]:
    """The comparison vector: each field's agreement level, then the dependency corrections
    (``child_far``, ``twins``, ``siblings``) as ``suspected`` when they apply, and ``family:
    agrees`` when ``family`` (a ``family.Household`` found a relative in the candidate's family).
    ``head`` are the ``head_levels`` when the caller has them already."""
    head = head or head_levels(a, b)
    levels = {
        "surname": head["surname"],
        "first_name": head["first_name"],
        "patronymic": patronymic_level(a, b),
        "birth_date": head["birth_date"],
        "sex": "missing" if a.sex is None or b.sex is None else ("exact" if a.sex == b.sex else "disagree"),
        "address": address_level(a.address, b.address),
        "snils": head["snils"],
        "birth_cert": head["birth_cert"],
    }
    if levels["surname"] == "disagree" and levels["first_name"] == "disagree":
        if names_swapped(a, b):
            levels["surname"] = levels["first_name"] = "swap"
        elif names_crossed(a, b):  # one name in the other's field: the surname level says so
            levels["surname"] = "cross"
    if levels["birth_date"] == "disagree" and (
        _is_child(a.birth_date, config) or _is_child(b.birth_date, config)
    ):
        assert a.birth_date is not None
        assert b.birth_date is not None
        if abs((a.birth_date - b.birth_date).days) > 365:
            levels["child_far"] = "suspected"
    if levels["first_name"] == "disagree" and levels["surname"] in _SAME_SURNAME:
        if levels["birth_date"] in _SAME_BIRTH:
            levels["twins"] = "suspected"
        elif levels["patronymic"] == "exact" or levels["birth_date"] == "typo":
            levels["siblings"] = "suspected"
    if family:
        levels[_FAMILY] = "agrees"
    return levels


def compare(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig | None = None,
    frequencies: TermFrequencies | None = None,
    family: bool = False,
) -> Comparison:
    """Score how likely ``a`` and ``b`` are one person (log2 likelihood ratio, symmetric).

    The score is the sum of per-field weights, evidence for and against: an identifier that
    agrees weighs strongly for, two valid identifiers of one kind that differ beyond a typo
    strongly against; exact name agreement is weighted by how common the value is
    (``frequencies``, the shipped ``name_frequencies`` by default). Different sex, a child's
    birth dates more than a year apart, and the twin pattern (same surname and birth date,
    different first name) and the sibling pattern (same surname and patronymic or a near birth
    date, different first name) weigh strongly against. ``rule`` is the ``verdict`` limiting
    the band. ``family``: a relative named with ``a`` matches a member of ``b``'s family, which
    corroborates a near birth date (``family.Household``); it weighs nothing itself.
    """
    cfg = config or default_config()
    levels = field_levels(a, b, cfg, family=family)
    evidence = tuple(FieldEvidence(*e) for e in _evidence(levels, a, cfg, frequencies))
    return Comparison(round(sum(e.weight for e in evidence), 3), evidence, verdict(levels))


def score(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig | None = None,
    frequencies: TermFrequencies | None = None,
    head: dict[str, str] | None = None,
    family: bool = False,
) -> tuple[float, str | None]:
    """``(compare(...).score, compare(...).rule)`` without building the evidence: ``resolve``
    ranks every candidate this way and compares only the best one in full. ``head`` are the
    ``head_levels`` when the caller has them already."""
    cfg = config or default_config()
    levels = field_levels(a, b, cfg, head, family)
    return round(sum(weigh(levels, a, cfg, frequencies)), 3), verdict(levels)


def levels_of(evidence: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The comparison vector back from stored evidence ((field, level) pairs, as ``compare``
    gives them): the inverse of ``_evidence``'s naming of the corrections. ``family`` is left
    out: it corroborates, it is no field the model weighs (``estimate`` fits none for it)."""
    levels: dict[str, str] = {}
    for field, level in evidence:
        if field == _FAMILY:
            continue
        if (field, level) == ("birth_date", "child_far"):
            levels["child_far"] = "suspected"
        else:
            levels[field] = level
    return levels


def _evidence(
    levels: dict[str, str], a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies | None
) -> list[tuple[str, str, float]]:
    """(field, level, weight) of each field, in the order of ``levels``; identifiers only when
    both records carry one."""
    out = []
    shares = frequencies or name_frequencies()
    for name, level in levels.items():
        weight = _field_weight(name, level, a, cfg, shares)
        if weight is not None:
            field = _CORRECTIONS.get(name, name)
            out.append((field, name if field != name else level, weight))
    return out


def weigh(
    levels: dict[str, str], a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies | None
) -> Iterator[float]:
    """The weight of each level in ``levels`` (some or all fields of a pair with ``a``)."""
    shares = frequencies or name_frequencies()
    for name, level in levels.items():
        weight = _field_weight(name, level, a, cfg, shares)
        if weight is not None:
            yield weight


def field_weight(
    name: str, level: str, a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies | None
) -> float:
    """The weight of one field's level in a pair with ``a`` (0 where it is no evidence)."""
    weight = _field_weight(name, level, a, cfg, frequencies or name_frequencies())
    return 0.0 if weight is None else weight


def _field_weight(
    name: str, level: str, a: NormalisedPerson, cfg: LinkageConfig, shares: TermFrequencies
) -> float | None:
    """None for an identifier one of the records lacks: no evidence at all."""
    if name in _CORRECTIONS:
        return cfg.fixed[name]
    if name == _FAMILY:
        return 0.0  # corroboration only: the relative's match is the evidence
    if level in AGREE and name in _TF_FIELDS:
        return _tf_weight(name, level, a, cfg, shares)
    if name in _IDENTIFIERS and level == "missing":
        return None
    return cfg.rounded[(name, level)]


def _tf_weight(
    name: str, level: str, a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies
) -> float:
    """The weight of an exact name agreement: frequency-adjusted when the value's share is known."""
    value = getattr(a, name)
    share = frequencies.share(name, value) if value is not None else None
    if share is None:
        return cfg.rounded[(name, level)]
    return _log_ratio(cfg.m_u[name][level][0], max(share, cfg.tf_floor))


@lru_cache(maxsize=4096)
def _log_ratio(m: float, u: float) -> float:
    return round(math.log2(m / u), 3)
