"""``resolve``: the best person for a record among the candidates a source returns by key.

The one linker: the in-memory ``Registry`` (``signalhub link``, benchmarks) and the DB-backed
intake both implement ``CandidateSource`` over person views (``person_view``) and call this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from signalhub.domain.linkage.blocking import query_keys
from signalhub.domain.linkage.bound import Ceiling
from signalhub.domain.linkage.compare import TermFrequencies, compare, head_levels, score
from signalhub.domain.linkage.config import LinkageConfig, classify
from signalhub.domain.linkage.model import ANOTHER_PERSON, Band, FieldEvidence, LinkDecision, NormalisedPerson

if TYPE_CHECKING:
    from signalhub.domain.linkage.family import Household

__all__ = ["CandidateSource", "resolve"]

_RANK = {Band.NON_MATCH: 0, Band.POSSIBLE: 1, Band.MATCH: 2}
_IDENTIFIERS = ("snils", "birth_cert")


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

    An identifier that another person holds while the record's names and birth date are not
    theirs (``identity_conflict``: a parent's or sibling's SNILS typed in) is that person's,
    not the record's: when no candidate is a match, the record is compared again without it
    with the other candidates (the holder stays a possible match at most, as the rule says).
    A record that joins a person other than that holder says so in its evidence
    (``<identifier>: another_person``), and its person does not keep the identifier
    (``person_view.own_record``).
    """
    best, typed_in, holders = _best(person, source, config, frequencies, household)
    if typed_in and (best is None or best[0][0] < _RANK[Band.MATCH]):
        own = replace(
            person,
            snils=None if "snils" in typed_in else person.snils,
            birth_cert=None if "birth_cert" in typed_in else person.birth_cert,
        )
        again, _, _ = _best(own, source, config, frequencies, household, holders)
        if again is not None and again[0][0] == _RANK[Band.MATCH]:
            person, best = own, again
    if best is None:
        return LinkDecision(Band.NON_MATCH, None, 0.0, ())
    decision = _decision(person, best, config, frequencies)
    theirs = sorted(k for k in typed_in if decision.joins and (k, "exact") not in _levels(decision))
    if not theirs:
        return decision
    marks = tuple(FieldEvidence(kind, ANOTHER_PERSON, 0.0) for kind in theirs)
    return replace(decision, evidence=decision.evidence + marks)


def _levels(decision: LinkDecision) -> set[tuple[str, str]]:
    return {(e.field, e.level) for e in decision.evidence}


_Best = tuple[tuple[int, float], str, NormalisedPerson, bool]


def _best(
    person: NormalisedPerson,
    source: CandidateSource,
    config: LinkageConfig,
    frequencies: TermFrequencies | None,
    household: Household | None,
    passed: frozenset[str] = frozenset(),
) -> tuple[_Best | None, frozenset[str], frozenset[str]]:
    """The best candidate (rank, id, view, family corroborated) but those ``passed``, the kinds
    of the record's identifiers some candidate holds in an ``identity_conflict``, and those
    candidates."""
    best: _Best | None = None
    typed_in: set[str] = set()
    holders: set[str] = set()
    ceiling = Ceiling(person, config, frequencies)
    for person_id, candidate in source.candidates(query_keys(person)):
        if person_id in passed:
            continue
        if best is not None:
            top_band, top = ceiling.unnamed(candidate)
            if (_RANK[top_band], top) < best[0]:
                continue  # cannot beat the best so far, whatever the names and the rest say
        head = head_levels(person, candidate)
        if best is not None:
            top_band, top = ceiling(head)
            if (_RANK[top_band], top) < best[0]:
                continue  # cannot beat the best so far, whatever the rest says
        value, rule = score(person, candidate, config, frequencies, head)
        if rule == "identity_conflict":
            typed_in.update(kind for kind in _IDENTIFIERS if head[kind] == "exact")
            holders.add(person_id)
        family = rule == "uncorroborated_date" and household is not None and household.agrees(person_id)
        if family:
            value, rule = score(person, candidate, config, frequencies, head, family=True)
        rank = (_RANK[classify(value, config.thresholds, rule)], value)
        if best is None or rank > best[0] or (rank == best[0] and person_id < best[1]):
            best = (rank, person_id, candidate, family)
    return best, frozenset(typed_in), frozenset(holders)


def _decision(
    person: NormalisedPerson, best: _Best, config: LinkageConfig, frequencies: TermFrequencies | None
) -> LinkDecision:
    _, person_id, candidate, family = best
    comparison = compare(person, candidate, config, frequencies, family)  # the evidence of the best only
    band = classify(comparison.score, config.thresholds, comparison.rule)
    linked = person_id if band is not Band.NON_MATCH else None
    return LinkDecision(band, linked, comparison.score, comparison.evidence, comparison.rule)
