"""``Ceiling``: the most a pair's score and band can be once its ``head_levels`` are known.

``resolve`` compares the rest (patronymic, sex, address, the dependency corrections) only for
candidates whose ceiling could beat the best candidate so far; the others could not win, so
the decision is the one comparing every candidate in full gives, only cheaper.
"""

from __future__ import annotations

from signalhub.domain.linkage.compare import TermFrequencies, field_weight
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import Band, NormalisedPerson

__all__ = ["Ceiling"]

_REST = ("patronymic", "sex", "address")
_ROUNDING = 0.01  # the score is a rounded sum of rounded weights: keep the ceiling above it


class Ceiling:
    """Bounds for pairs of ``person`` with candidates, under ``config`` and ``frequencies``."""

    def __init__(
        self, person: NormalisedPerson, config: LinkageConfig, frequencies: TermFrequencies | None
    ) -> None:
        self._person, self._config, self._frequencies = person, config, frequencies
        rest = sum(max(0.0, weight) for weight in config.fixed.values()) + _ROUNDING
        for name in _REST:
            if getattr(person, name) is not None:  # else the level is missing, weight 0
                levels = config.m_u.get(name, {})
                rest += max(
                    [0.0, *(field_weight(name, level, person, config, frequencies) for level in levels)]
                )
        self._rest = rest
        weight = config.rounded.get
        disagree = weight(("surname", "disagree"), 0.0) + weight(("first_name", "disagree"), 0.0)
        swap = weight(("surname", "swap"), 0.0) + weight(("first_name", "swap"), 0.0)
        cross = weight(("surname", "cross"), 0.0) + weight(("first_name", "disagree"), 0.0)
        self._renamed = max(0.0, swap - disagree, cross - disagree)  # both names disagreeing may be swapped
        self._weights: dict[tuple[str, str], float] = {}  # (field, level) -> its weight with ``person``

    def _weight(self, name: str, level: str) -> float:
        weight = self._weights.get((name, level))
        if weight is None:
            weight = self._weights[(name, level)] = field_weight(
                name, level, self._person, self._config, self._frequencies
            )
        return weight

    def __call__(self, head: dict[str, str]) -> tuple[Band, float]:
        """The highest band and score a pair with these ``head_levels`` can reach."""
        weights, most = self._weights, 0.0
        for field_level in head.items():  # summed in the order ``weigh`` sums them
            weight = weights.get(field_level)
            most += self._weight(*field_level) if weight is None else weight
        most += self._rest
        if head["surname"] == head["first_name"] == "disagree":
            most += self._renamed
        band = classify(most, self._config.thresholds)
        if band is Band.NON_MATCH and "exact" in (head["snils"], head["birth_cert"]):
            band = Band.POSSIBLE  # an agreeing identifier is at least a possible match
        return band, most
