"""``Ceiling``: the most a pair's score and band can be once its ``head_levels`` are known.

``resolve`` compares the rest (patronymic, sex, address, the dependency corrections) only for
candidates whose ceiling could beat the best candidate so far; the others could not win, so
the decision is the one comparing every candidate in full gives, only cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass

from signalhub.domain.linkage.compare import AGREE, TermFrequencies, field_weight, identifier_levels
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.fields import date_level
from signalhub.domain.linkage.model import Band, NormalisedPerson

__all__ = ["Ceiling"]

_REST = ("patronymic", "sex", "address")
_NAMES = frozenset({"patronymic"})
_HEAD_NAMES = ("surname", "first_name")  # of ``_REST``, weighed by the frequency of the person's value
_ROUNDING = 0.01  # the score is a rounded sum of rounded weights: keep the ceiling above it


@dataclass(frozen=True, slots=True)
class _Parts:
    """What a ceiling takes from the configuration alone, whoever the person."""

    fixed: float  # the dependency corrections, where they weigh for
    most: dict[str, float]  # field -> its highest weight, for the fields of ``_REST`` but names
    renamed: float  # the most swapped or crossed names can add over both names disagreeing
    names: dict[str, tuple[float, tuple[str, ...]]]  # surname, first name -> (highest weight of
    # the levels weighed alike for everyone, the agreeing levels weighed by the value's frequency)


_last: tuple[LinkageConfig, _Parts] | None = None  # one configuration links a process's records


def _parts(config: LinkageConfig) -> _Parts:
    global _last
    if _last is not None and _last[0] is config:
        return _last[1]
    weight = config.rounded.get
    disagree = weight(("surname", "disagree"), 0.0) + weight(("first_name", "disagree"), 0.0)
    swap = weight(("surname", "swap"), 0.0) + weight(("first_name", "swap"), 0.0)
    cross = weight(("surname", "cross"), 0.0) + weight(("first_name", "disagree"), 0.0)
    parts = _Parts(
        fixed=sum(max(0.0, w) for w in config.fixed.values()) + _ROUNDING,
        most={
            name: max([0.0, *(config.rounded[(name, level)] for level in config.m_u.get(name, {}))])
            for name in _REST
            if name not in _NAMES
        },
        renamed=max(0.0, swap - disagree, cross - disagree),  # both names disagreeing may be swapped
        names={
            name: (
                max([0.0, *(config.rounded[(name, level)] for level in levels if level not in AGREE)]),
                tuple(level for level in levels if level in AGREE),
            )
            for name in _HEAD_NAMES
            if (levels := config.m_u.get(name, {}))
        },
    )
    _last = (config, parts)
    return parts


class Ceiling:
    """Bounds for pairs of ``person`` with candidates, under ``config`` and ``frequencies``."""

    def __init__(
        self, person: NormalisedPerson, config: LinkageConfig, frequencies: TermFrequencies | None
    ) -> None:
        self._person, self._config, self._frequencies = person, config, frequencies
        parts = _parts(config)
        rest = parts.fixed
        for name in _REST:
            if getattr(person, name) is None:
                continue  # the level is missing, weight 0
            most = parts.most.get(name)
            if most is None:  # a name: an agreeing value weighs by its frequency
                levels = config.m_u.get(name, {})
                most = max(
                    [0.0, *(field_weight(name, level, person, config, frequencies) for level in levels)]
                )
            rest += most
        self._rest, self._parts = rest, parts
        self._names: float | None = None  # the most both names can weigh, once needed
        self._weights: dict[tuple[str, str], float] = {}  # (field, level) -> its weight with ``person``
        self._ceilings: dict[tuple[str, ...], tuple[Band, float]] = {}  # head levels -> ceiling
        self._unnamed: dict[tuple[str, ...], tuple[Band, float]] = {}  # date, identifier levels -> ceiling

    def _weight(self, name: str, level: str) -> float:
        weight = self._weights.get((name, level))
        if weight is None:
            weight = self._weights[(name, level)] = field_weight(
                name, level, self._person, self._config, self._frequencies
            )
        return weight

    def __call__(self, head: dict[str, str]) -> tuple[Band, float]:
        """The highest band and score a pair with these ``head_levels`` can reach (the
        candidates of one record share a few combinations of levels: each is summed once)."""
        key = tuple(head.values())
        found = self._ceilings.get(key)
        if found is None:
            found = self._ceilings[key] = self._ceiling(head)
        return found

    def unnamed(self, candidate: NormalisedPerson) -> tuple[Band, float]:
        """The highest band and score a pair with ``candidate`` can reach from its birth dates
        and identifiers alone, whatever its names: cheaper than ``head_levels``, and enough to
        set aside most candidates of a record that has a strong match already."""
        person = self._person
        key = (date_level(person.birth_date, candidate.birth_date), *identifier_levels(person, candidate))
        found = self._unnamed.get(key)
        if found is None:
            most = self._weight("birth_date", key[0]) + self._weight("snils", key[1])
            most += self._weight("birth_cert", key[2]) + self._rest + self._names_most()
            found = self._unnamed[key] = self._band(most, key[1:])
        return found

    def _names_most(self) -> float:
        if self._names is None:
            top = {
                name: max(alike, *(self._weight(name, level) for level in agree))
                for name, (alike, agree) in self._parts.names.items()
            }
            disagree = self._weight("surname", "disagree") + self._weight("first_name", "disagree")
            self._names = max(sum(top.values()), disagree + self._parts.renamed)
        return self._names

    def _ceiling(self, head: dict[str, str]) -> tuple[Band, float]:
        most = 0.0
        for field_level in head.items():  # summed in the order ``weigh`` sums them
            most += self._weight(*field_level)
        most += self._rest
        if head["surname"] == head["first_name"] == "disagree":
            most += self._parts.renamed
        return self._band(most, (head["snils"], head["birth_cert"]))

    def _band(self, most: float, identifiers: tuple[str, ...]) -> tuple[Band, float]:
        band = classify(most, self._config.thresholds)
        if band is Band.NON_MATCH and "exact" in identifiers:
            band = Band.POSSIBLE  # an agreeing identifier is at least a possible match
        return band, most
