"""``resolve``: the best person for a record among the candidates a source returns by key.

The one linker: the in-memory ``Registry`` (``signalhub link``, benchmarks) and the DB-backed
intake both implement ``CandidateSource`` over person views (``person_view``) and call this.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from signalhub.domain.linkage.blocking import query_keys
from signalhub.domain.linkage.bound import Ceiling
from signalhub.domain.linkage.compare import TermFrequencies, compare, head_levels, score
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import Band, LinkDecision, NormalisedPerson

if TYPE_CHECKING:
    from signalhub.domain.linkage.family import Household

__all__ = ["CandidateSource", "resolve"]

_RANK = {Band.NON_MATCH: 0, Band.POSSIBLE: 1, Band.MATCH: 2}


class CandidateSource(Protocol):
    """Where candidates come from: persons indexed under any of the given blocking keys."""

    def candidates(self, keys: frozenset[str]) -> Iterable[tuple[str, NormalisedPerson]]:
        """(person id, the person's normalised view) of the persons indexed under any of ``keys``."""
        ...


def resolve(
    person: NormalisedPerson,
    source: CandidateSource,
    config: LinkageConfig,
    frequencies: TermFrequencies | None = None,
    household: Household | None = None,
) -> LinkDecision:
    """Compare ``person`` with every candidate; the best band, then the best score, decides.

    A candidate's band is its score's within the limits its evidence sets (``verdict``), so a
    matching identifier with names and birth date disagreeing stays a possible match however
    much else agrees, and a match elsewhere wins over it. Ties go to the smaller person id, so
    the decision is deterministic. With no candidate the decision is a non-match, score 0.
    A candidate whose ``Ceiling`` (from its names, birth date and identifiers) is below the best
    so far is not compared further: it could not win. ``household`` (the other people named
    with the record) may corroborate a near birth date (``family.Household``).
    """
    best: tuple[tuple[int, float], str, NormalisedPerson, bool] | None = None
    ceiling = Ceiling(person, config, frequencies)
    for person_id, candidate in source.candidates(query_keys(person)):
        head = head_levels(person, candidate)
        if best is not None:
            top_band, top = ceiling(head)
            if (_RANK[top_band], top) < best[0]:
                continue  # cannot beat the best so far, whatever the rest says
        value, rule = score(person, candidate, config, frequencies, head)
        family = rule == "uncorroborated_date" and household is not None and household.agrees(person_id)
        if family:
            value, rule = score(person, candidate, config, frequencies, head, family=True)
        rank = (_RANK[classify(value, config.thresholds, rule)], value)
        if best is None or rank > best[0] or (rank == best[0] and person_id < best[1]):
            best = (rank, person_id, candidate, family)
    if best is None:
        return LinkDecision(Band.NON_MATCH, None, 0.0, ())
    _, person_id, candidate, family = best
    comparison = compare(person, candidate, config, frequencies, family)  # the evidence of the best only
    band = classify(comparison.score, config.thresholds, comparison.rule)
    linked = person_id if band is not Band.NON_MATCH else None
    return LinkDecision(band, linked, comparison.score, comparison.evidence, comparison.rule)
