"""``compare``: Fellegi–Sunter score of two normalised persons, with deterministic rules."""

from __future__ import annotations

import datetime as dt
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
from signalhub.domain.linkage.model import Comparison, FieldEvidence, NormalisedPerson

__all__ = ["TermFrequencies", "compare", "field_levels", "identifier_level", "score"]

_AGREE = frozenset({"exact", "translit", "diminutive"})
_SAME_BIRTH = frozenset({"exact", "swap", "near"})
_IDENTIFIERS = frozenset({"snils", "birth_cert"})
_CORRECTIONS = {"child_far": "birth_date", "twins": "twins", "siblings": "siblings"}


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
    """exact | typo (one digit of the number, or only the series, differs) | disagree | missing."""
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    (series_a, number_a), (series_b, number_b) = _split(a), _split(b)
    if number_a == number_b or (series_a == series_b and OSA.distance(number_a, number_b) <= 1):
        return "typo"
    return "disagree"


def _rule(levels: dict[str, str]) -> str | None:
    if levels.get("snils") == "exact":
        return "snils_equal"
    if levels.get("snils") == "disagree":
        return "snils_differ"
    return "birth_cert_equal" if levels.get("birth_cert") == "exact" else None


def _identifier_levels(a: NormalisedPerson, b: NormalisedPerson) -> dict[str, str]:
    return {
        "snils": identifier_level(a.snils and a.snils[:9], b.snils and b.snils[:9]),  # body, no check digits
        "birth_cert": identifier_level(a.birth_cert, b.birth_cert),
    }


def field_levels(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig,
    identifiers: dict[str, str] | None = None,
) -> dict[str, str]:
    """The comparison vector: each field's agreement level, then the dependency corrections
    (``child_far``, ``twins``, ``siblings``) as ``suspected`` when they apply. ``identifiers``
    are the identifier levels when the caller has them already."""
    levels = {
        "surname": surname_level(a, b),
        "first_name": first_name_level(a, b),
        "patronymic": patronymic_level(a, b),
        "birth_date": date_level(a.birth_date, b.birth_date),
        "sex": "missing" if a.sex is None or b.sex is None else ("exact" if a.sex == b.sex else "disagree"),
        "address": address_level(a.address, b.address),
        **(identifiers or _identifier_levels(a, b)),
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
    if levels["first_name"] == "disagree" and levels["surname"] in {"exact", "translit", "fuzzy"}:
        if levels["birth_date"] in _SAME_BIRTH:
            levels["twins"] = "suspected"
        elif levels["patronymic"] == "exact" or levels["birth_date"] == "typo":
            levels["siblings"] = "suspected"
    return levels


def compare(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig | None = None,
    frequencies: TermFrequencies | None = None,
) -> Comparison:
    """Score how likely ``a`` and ``b`` are one person (log2 likelihood ratio, symmetric).

    Rules decide first: the same valid SNILS or the same birth certificate is a match, two
    valid SNILS more than one digit apart a non-match (one digit apart is strong evidence, a
    likely typo). Otherwise the score is the sum of per-field weights;
    exact name agreement is weighted by the value's frequency when ``frequencies`` know it.
    Different sex, a child's birth dates more than a year apart, and the twin pattern (same
    surname and birth date, different first name) and the sibling pattern (same surname and
    patronymic or a near birth date, different first name) weigh strongly against.
    """
    cfg = config or default_config()
    levels = field_levels(a, b, cfg)
    evidence = tuple(FieldEvidence(*e) for e in _evidence(levels, a, cfg, frequencies))
    rule = _rule(levels)
    if rule is not None:
        return Comparison(_rule_score(rule, cfg), evidence, rule)
    return Comparison(round(sum(e.weight for e in evidence), 3), evidence, rule)


def score(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig | None = None,
    frequencies: TermFrequencies | None = None,
) -> float:
    """``compare(a, b, config, frequencies).score`` without the evidence, and without the other
    fields when an identifier rule decides: ``resolve`` scores every candidate this way and
    compares only the best one in full."""
    cfg = config or default_config()
    identifiers = _identifier_levels(a, b)
    rule = _rule(identifiers)
    if rule is not None:
        return _rule_score(rule, cfg)
    levels = field_levels(a, b, cfg, identifiers)
    return round(sum(e[2] for e in _evidence(levels, a, cfg, frequencies)), 3)


def _rule_score(rule: str, cfg: LinkageConfig) -> float:
    return round(cfg.fixed["rule_non_match" if rule == "snils_differ" else "rule_match"], 3)


def _evidence(
    levels: dict[str, str], a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies | None
) -> list[tuple[str, str, float]]:
    """(field, level, weight) of each field that carries evidence, in the order of ``levels``;
    an identifier only when a typo (or two birth certificates that differ) weighs in."""
    out = []
    rounded = cfg.rounded
    for name, level in levels.items():
        if name in _CORRECTIONS:
            field = _CORRECTIONS[name]
            out.append((field, name if field != name else level, cfg.fixed[name]))
        elif name not in _IDENTIFIERS or level == "typo" or (name, level) == ("birth_cert", "disagree"):
            weight = _tf_weight(name, level, a, cfg, frequencies) if frequencies is not None else None
            out.append((name, level, rounded[(name, level)] if weight is None else weight))
    return out


def _tf_weight(
    name: str, level: str, a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies
) -> float | None:
    """The frequency-adjusted weight of an exact name agreement, when the value's share is known."""
    if level not in _AGREE or name not in {"surname", "first_name", "patronymic"}:
        return None
    value = getattr(a, name)
    share = frequencies.share(name, value) if value is not None else None
    return None if share is None else round(cfg.weight(name, level, share), 3)
