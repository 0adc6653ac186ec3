"""``estimate``: m/u probabilities learnt by EM from the records being linked (unsupervised).

As Splink does: the candidate pairs that blocking produces are compared into agreement
vectors (``field_levels``), and expectation-maximisation fits a two-class mixture (matches,
non-matches) to their counts. ``u`` is thus P(level | different persons among blocked
candidates), as the engine uses it. The base configuration's m/u are the starting point and a
weak prior (levels never seen keep them); the dependency corrections (``twins``, ``siblings``,
``child_far``) are estimated as fields too, but never become positive; the match threshold is
the score at which a candidate pair is a match with probability ``posterior``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from signalhub.domain.linkage.blocking import IDENTIFIER_PREFIXES, blocking_keys
from signalhub.domain.linkage.compare import field_levels
from signalhub.domain.linkage.config import LinkageConfig, Thresholds, default_config
from signalhub.domain.linkage.model import NormalisedPerson, PersonRecord
from signalhub.domain.linkage.normalise import normalise

__all__ = ["estimate"]

_CORRECTIONS = ("child_far", "twins", "siblings")
_PRIOR = 1.0  # pseudo-pairs of the base m/u added to each field's counts
_FLOOR = 1e-6
Pattern = tuple[tuple[str, str], ...]
Table = dict[str, dict[str, float]]


def _pairs(
    persons: list[NormalisedPerson], max_block: int, max_pairs: int, seed: int
) -> list[tuple[int, int]]:
    index: dict[str, list[int]] = {}
    for position, person in enumerate(persons):
        for key in blocking_keys(person):
            if not key.startswith(IDENTIFIER_PREFIXES):  # identifier rules decide those pairs
                index.setdefault(key, []).append(position)
    pairs = {
        (block[i], block[j])
        for block in index.values()
        if 1 < len(block) <= max_block
        for i in range(len(block))
        for j in range(i + 1, len(block))
    }
    ordered = sorted(pairs)
    return random.Random(seed).sample(ordered, max_pairs) if len(ordered) > max_pairs else ordered


def _patterns(
    persons: list[NormalisedPerson], pairs: list[tuple[int, int]], config: LinkageConfig
) -> Counter[Pattern]:
    counts: Counter[Pattern] = Counter()
    for i, j in pairs:
        counts[_pattern(field_levels(persons[i], persons[j], config))] += 1
    return counts


def _pattern(levels: dict[str, str]) -> Pattern:
    """A comparison vector as EM counts it: corrections present (``none`` when absent), missing
    fields left out."""
    full = {name: "none" for name in _CORRECTIONS} | levels
    return tuple(sorted((k, v) for k, v in full.items() if v != "missing"))


def _random_u(
    persons: list[NormalisedPerson], config: LinkageConfig, u0: Table, samples: int, seed: int
) -> Table:
    """u from random pairs (almost all of different persons), smoothed towards the base u."""
    rng = random.Random(seed)
    total = len(persons)
    drawn = [(rng.randrange(total), rng.randrange(total)) for _ in range(samples)]
    sums: Table = {}
    for pattern, n in _patterns(persons, [(i, j) for i, j in drawn if i != j], config).items():
        for f, lvl in pattern:
            level_sums = sums.setdefault(f, {})
            level_sums[lvl] = level_sums.get(lvl, 0.0) + n
    return _maximise(u0, sums)


def _start(config: LinkageConfig) -> tuple[Table, Table]:
    m: Table = {f: {lvl: mu[0] for lvl, mu in levels.items()} for f, levels in config.m_u.items()}
    u: Table = {f: {lvl: mu[1] for lvl, mu in levels.items()} for f, levels in config.m_u.items()}
    for name in _CORRECTIONS:  # a correction's weight log2(m/u) = fixed, 1 % of pairs
        m[name] = {"suspected": 0.01 * 2 ** config.fixed[name], "none": 1.0}
        u[name] = {"suspected": 0.01, "none": 0.99}
    return m, u


def _prob(table: Table, pattern: Pattern) -> float:
    return math.prod(table.get(f, {}).get(lvl, _FLOOR) for f, lvl in pattern)


def _maximise(prior: Table, sums: Table) -> Table:
    table: Table = {}
    for f, levels in prior.items():
        seen = sums.get(f, {})
        total = sum(seen.values()) + _PRIOR * sum(levels.values())
        table[f] = {lvl: max((seen.get(lvl, 0.0) + _PRIOR * p) / total, _FLOOR) for lvl, p in levels.items()}
        for lvl in seen.keys() - levels.keys():  # a level the base never saw
            table[f][lvl] = max(seen[lvl] / total, _FLOOR)
    return table


def _em(
    counts: Counter[Pattern],
    m: Table,
    u: Table,
    share: float,
    iterations: int,
    labels: dict[Pattern, float] | None = None,
) -> tuple[Table, float]:
    """EM over pattern counts; a pattern in ``labels`` (a reviewer's decision) keeps its
    posterior (1.0 one person, 0.0 two) instead of the one the model gives it."""
    m0 = m
    fixed = labels or {}
    for _ in range(iterations):
        m_sums: Table = {}
        matched = 0.0
        for pattern, n in counts.items():
            pm, pu = share * _prob(m, pattern), (1 - share) * _prob(u, pattern)
            w = fixed.get(pattern, pm / (pm + pu) if pm + pu > 0 else 0.0)
            matched += w * n
            for f, lvl in pattern:
                level_sums = m_sums.setdefault(f, {})
                level_sums[lvl] = level_sums.get(lvl, 0.0) + w * n
        share = min(max(matched / sum(counts.values()), 1e-6), 1 - 1e-6)
        m = _maximise(m0, m_sums)
    return m, share


def estimate(
    records: Iterable[PersonRecord | NormalisedPerson],
    config: LinkageConfig | None = None,
    *,
    posterior: float = 0.5,
    iterations: int = 30,
    max_pairs: int = 500_000,
    samples: int = 200_000,
    seed: int = 0,
    labelled: Iterable[tuple[dict[str, str], bool]] = (),
) -> LinkageConfig:
    """A configuration whose m/u, corrections and thresholds are fitted to ``records``.

    ``labelled`` are reviewed pairs (``{field: level}``, one person?) from the review queue:
    each counts as a candidate pair whose class the reviewer fixed, so confirmed patterns
    teach m and split ones stay out of it.

    Deterministic for given records and ``seed``; the records are not kept. Rule scores,
    the child age and the block limits come from ``config`` (the shipped one by default).
    The ``possible`` band keeps its distance below the match threshold.
    """
    base = config or default_config()
    persons = [r if isinstance(r, NormalisedPerson) else normalise(r) for r in records]
    pairs = _pairs(persons, base.max_block_size, max_pairs, seed)
    counts = _patterns(persons, pairs, base)
    labels: dict[Pattern, float] = {}
    for levels, same in labelled:
        pattern = _pattern(levels)
        counts[pattern] += 1
        labels[pattern] = 1.0 if same else 0.0
    if not counts:
        return base
    m, u = _start(base)
    u = _random_u(persons, base, u, max(samples, 1), seed)
    m, share = _em(counts, m, u, share=0.5, iterations=iterations, labels=labels)
    n = len(persons)
    prior = share * sum(counts.values()) / max(n * (n - 1) / 2, 1)  # P(match) of any pair
    m_u = {f: {lvl: (m[f][lvl], u[f].get(lvl, _FLOOR)) for lvl in m[f]} for f in base.m_u}
    fixed = dict(base.fixed)
    for name in _CORRECTIONS:
        fixed[name] = min(0.0, math.log2(m[name]["suspected"] / u[name]["suspected"]))
    match = math.log2(posterior / (1 - posterior) * (1 - prior) / prior)
    gap = base.thresholds.match - base.thresholds.possible
    return replace(base, m_u=m_u, fixed=fixed, thresholds=Thresholds(round(match, 3), round(match - gap, 3)))
