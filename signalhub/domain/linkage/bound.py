"""``Ceiling``: the most a pair's score and band can be once its ``head_levels`` are known.

``resolve`` compares the rest (patronymic, sex, address, the dependency corrections) only for
candidates whose ceiling could beat the best candidate so far; the others could not win, so
the decision is the one comparing every candidate in full gives, only cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass

from signalhub.domain.linkage.compare import TermFrequencies, field_weight
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import Band, NormalisedPerson

__all__ = ["Ceiling"]

_REST = ("patronymic", "sex", "address")
_NAMES = frozenset({"patronymic"})  # of ``_REST``, weighed by the frequency of the person's value
_ROUNDING = 0.01  # the score is a rounded sum of rounded weights: keep the ceiling above it


@dataclass(frozen=True, slots=True)
class _Parts:
    """What a ceiling takes from the configuration alone, whoever the person."""

    fixed: float  # the dependency corrections, where they weigh for
    most: dict[str, float]  # field -> its highest weight, for the fields of ``_REST`` but names
    renamed: float  # the most swapped or crossed names can add over both names disagreeing


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
        self._rest, self._renamed = rest, parts.renamed
        self._weights: dict[tuple[str, str], float] = {}  # (field, level) -> its weight with ``person``
        self._ceilings: dict[tuple[str, ...], tuple[Band, float]] = {}  # head levels -> ceiling

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

    def _ceiling(self, head: dict[str, str]) -> tuple[Band, float]:
        most = 0.0
        for field_level in head.items():  # summed in the order ``weigh`` sums them
            most += self._weight(*field_level)
        most += self._rest
        if head["surname"] == head["first_name"] == "disagree":
            most += self._renamed
        band = classify(most, self._config.thresholds)
        if band is Band.NON_MATCH and "exact" in (head["snils"], head["birth_cert"]):
            band = Band.POSSIBLE  # an agreeing identifier is at least a possible match
        return band, most
