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
    names_swapped,
    patronymic_level,
    surname_level,
)
from signalhub.domain.linkage.model import Comparison, FieldEvidence, NormalisedPerson

__all__ = ["TermFrequencies", "compare"]

_AGREE = frozenset({"exact", "translit", "diminutive"})
_SAME_BIRTH = frozenset({"exact", "swap", "near"})


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


def _rule(a: NormalisedPerson, b: NormalisedPerson) -> str | None:
    if a.snils is not None and b.snils is not None:
        return "snils_equal" if a.snils == b.snils else "snils_differ"
    if a.birth_cert is not None and a.birth_cert == b.birth_cert:
        return "birth_cert_equal"
    return None


def compare(
    a: NormalisedPerson,
    b: NormalisedPerson,
    config: LinkageConfig | None = None,
    frequencies: TermFrequencies | None = None,
) -> Comparison:
    """Score how likely ``a`` and ``b`` are one person (log2 likelihood ratio, symmetric).

    Rules decide first: the same valid SNILS or the same birth certificate is a match, two
    different valid SNILS a non-match. Otherwise the score is the sum of per-field weights;
    exact name agreement is weighted by the value's frequency when ``frequencies`` know it.
    Different sex, a child's birth dates more than a year apart, and the twin pattern (same
    surname and birth date, different first name) and the sibling pattern (same surname and
    patronymic or a near birth date, different first name) weigh strongly against.
    """
    cfg = config or default_config()
    levels = {
        "surname": surname_level(a, b),
        "first_name": first_name_level(a, b),
        "patronymic": patronymic_level(a, b),
        "birth_date": date_level(a.birth_date, b.birth_date),
        "sex": "missing" if a.sex is None or b.sex is None else ("exact" if a.sex == b.sex else "disagree"),
        "address": address_level(a.address, b.address),
    }
    if levels["surname"] == "disagree" and levels["first_name"] == "disagree" and names_swapped(a, b):
        levels["surname"] = levels["first_name"] = "swap"
    if levels["surname"] == "disagree" and levels["first_name"] == "disagree" and names_swapped(a, b):
        levels["surname"] = levels["first_name"] = "swap"
    if a.birth_cert is not None and b.birth_cert is not None and a.birth_cert != b.birth_cert:
        levels["birth_cert"] = "typo" if OSA.distance(a.birth_cert, b.birth_cert) <= 1 else "disagree"
    evidence = [
        FieldEvidence(name, level, _weight(name, level, a, cfg, frequencies))
        for name, level in levels.items()
    ]
    if levels["birth_date"] == "disagree" and (_is_child(a.birth_date, cfg) or _is_child(b.birth_date, cfg)):
        assert a.birth_date is not None
        assert b.birth_date is not None
        if abs((a.birth_date - b.birth_date).days) > 365:
            evidence.append(FieldEvidence("birth_date", "child_far", cfg.fixed["child_far"]))
    if levels["first_name"] == "disagree" and levels["surname"] in {"exact", "translit", "fuzzy"}:
        if levels["birth_date"] in _SAME_BIRTH:
            evidence.append(FieldEvidence("twins", "suspected", cfg.fixed["twins"]))
        elif levels["patronymic"] == "exact" or levels["birth_date"] == "typo":
            evidence.append(FieldEvidence("siblings", "suspected", cfg.fixed["siblings"]))
    rule = _rule(a, b)
    if rule is not None:
        score = cfg.fixed["rule_non_match" if rule == "snils_differ" else "rule_match"]
    else:
        score = sum(e.weight for e in evidence)
    return Comparison(round(score, 3), tuple(evidence), rule)


def _weight(
    name: str, level: str, a: NormalisedPerson, cfg: LinkageConfig, frequencies: TermFrequencies | None
) -> float:
    share: float | None = None
    if frequencies is not None and level in _AGREE and name in {"surname", "first_name", "patronymic"}:
        value = getattr(a, name)
        share = frequencies.share(name, value) if value is not None else None
    return round(cfg.weight(name, level, share), 3)
