"""Linkage configuration: m/u probabilities, fixed weights and thresholds, all as data."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from signalhub.domain.linkage.model import Band

__all__ = ["LinkageConfig", "Thresholds", "classify", "default_config"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores at or above ``match`` are matches; at or above ``possible`` possible matches."""

    match: float
    possible: float


@dataclass(frozen=True, slots=True)
class LinkageConfig:
    """Everything tunable in the engine.

    ``m_u[field][level] = (m, u)``; ``fixed`` holds the dependency corrections (``twins``,
    ``child_far``) and deterministic rule scores; a person born less than ``child_age_years``
    before ``reference_date`` (today when ``None``) is a child; blocks with more than
    ``max_block_size`` members are skipped when fetching candidates (their persons are reached
    through other keys), and no further block is opened once ``max_candidates`` came; an exact
    name agreement's u is the value's share (``name_frequencies``), never below ``tf_floor``.
    """

    m_u: dict[str, dict[str, tuple[float, float]]]
    fixed: dict[str, float]
    thresholds: Thresholds
    child_age_years: int = 18
    reference_date: dt.date | None = None
    max_block_size: int = 200
    max_candidates: int = 100
    tf_floor: float = 0.0005
    weights: dict[tuple[str, str], float] = field(init=False, repr=False)
    rounded: dict[tuple[str, str], float] = field(init=False, repr=False)  # weights to 3 places

    def __post_init__(self) -> None:
        table = {
            (name, level): math.log2(m / u)
            for name, levels in self.m_u.items()
            for level, (m, u) in levels.items()
        }
        object.__setattr__(self, "weights", table)
        rounded = {key: round(value, 3) for key, value in table.items()}
        rounded.update({(name, "missing"): 0.0 for name in self.m_u})
        object.__setattr__(self, "rounded", rounded)

    def weight(self, name: str, level: str, share: float | None = None) -> float:
        """Weight of a field's level; ``share`` (the value's frequency) replaces u when given."""
        if level == "missing":
            return 0.0
        if share is not None:
            return math.log2(self.m_u[name][level][0] / max(share, self.tf_floor))
        return self.weights[(name, level)]


def _read() -> dict[str, Any]:
    text = resources.files("signalhub.domain.linkage").joinpath("data/weights.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def default_config() -> LinkageConfig:
    """The configuration shipped in ``data/weights.json``."""
    raw = _read()
    m_u = {
        name: {lvl: (float(m), float(u)) for lvl, (m, u) in levels.items()}
        for name, levels in raw["m_u"].items()
    }
    limits = raw["thresholds"]
    return LinkageConfig(
        m_u, dict(raw["fixed"]), Thresholds(float(limits["match"]), float(limits["possible"]))
    )


_ORDER = (Band.NON_MATCH, Band.POSSIBLE, Band.MATCH)
# The band a ``verdict`` rule allows: (at least, at most).
_LIMITS = {
    "identity_conflict": (Band.POSSIBLE, Band.POSSIBLE),
    "identifier_agrees": (Band.POSSIBLE, Band.MATCH),
    "uncorroborated_date": (Band.NON_MATCH, Band.POSSIBLE),
    "near_identifier_conflict": (Band.NON_MATCH, Band.POSSIBLE),
    "different_identifier": (Band.NON_MATCH, Band.POSSIBLE),
}


def classify(score: float, thresholds: Thresholds, rule: str | None = None) -> Band:
    """The band of a score, within the limits ``rule`` (a ``compare.verdict``) sets."""
    band = Band.MATCH if score >= thresholds.match else Band.NON_MATCH
    if band is Band.NON_MATCH and score >= thresholds.possible:
        band = Band.POSSIBLE
    if rule is None:
        return band
    low, high = _LIMITS[rule]
    return _ORDER[min(max(_ORDER.index(band), _ORDER.index(low)), _ORDER.index(high))]
