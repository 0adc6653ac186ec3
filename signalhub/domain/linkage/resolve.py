"""``resolve``: the best person for a record among the candidates a source returns by key.

Shared by the in-memory ``Registry`` (CLI, benchmarks) and the DB-backed intake, which
implements ``CandidateSource`` over its blocking-key table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from signalhub.domain.linkage.blocking import query_keys
from signalhub.domain.linkage.compare import TermFrequencies, compare, score
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import Band, LinkDecision, NormalisedPerson

__all__ = ["CandidateSource", "resolve"]


class CandidateSource(Protocol):
    """Where candidates come from: records indexed under any of the given blocking keys."""

    def candidates(self, keys: frozenset[str]) -> Iterable[tuple[str, NormalisedPerson]]:
        """(person id, normalised record) pairs indexed under any of ``keys``; a person may
        come with several of their records."""
        ...


def resolve(
    person: NormalisedPerson,
    source: CandidateSource,
    config: LinkageConfig,
    frequencies: TermFrequencies | None = None,
) -> LinkDecision:
    """Compare ``person`` with every candidate; the best-scoring person decides the band.

    A person's score is the best over their records. Ties go to the smaller person id, so
    the decision is deterministic. With no candidate the decision is a non-match, score 0.
    """
    best: tuple[float, str, NormalisedPerson] | None = None
    for person_id, candidate in source.candidates(query_keys(person)):
        value = score(person, candidate, config, frequencies)
        if best is None or value > best[0] or (value == best[0] and person_id < best[1]):
            best = (value, person_id, candidate)
    if best is None:
        return LinkDecision(Band.NON_MATCH, None, 0.0, ())
    _, person_id, candidate = best
    comparison = compare(person, candidate, config, frequencies)  # the evidence of the best only
    band = classify(comparison.score, config.thresholds)
    linked = person_id if band is not Band.NON_MATCH else None
    return LinkDecision(band, linked, comparison.score, comparison.evidence, comparison.rule)
