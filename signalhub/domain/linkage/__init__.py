"""Person linkage for Russian records: pure, in-memory, explainable.

``normalise`` a ``PersonRecord``, index it under ``blocking_keys``, ``compare`` it with the
candidates sharing a key, ``classify`` the best score into a ``Band``. ``resolve`` does the
whole lookup over any ``CandidateSource``; ``Registry`` is the in-memory one.
"""

from signalhub.domain.linkage.blocking import blocking_keys, query_keys
from signalhub.domain.linkage.compare import TermFrequencies, compare
from signalhub.domain.linkage.config import LinkageConfig, Thresholds, classify, default_config
from signalhub.domain.linkage.model import (
    Band,
    Comparison,
    FieldEvidence,
    LinkDecision,
    NormalisedPerson,
    PersonRecord,
)
from signalhub.domain.linkage.normalise import normalise
from signalhub.domain.linkage.registry import Registry
from signalhub.domain.linkage.resolve import CandidateSource, resolve

__all__ = [
    "Band",
    "CandidateSource",
    "Comparison",
    "FieldEvidence",
    "LinkDecision",
    "LinkageConfig",
    "NormalisedPerson",
    "PersonRecord",
    "Registry",
    "TermFrequencies",
    "Thresholds",
    "blocking_keys",
    "classify",
    "compare",
    "default_config",
    "normalise",
    "query_keys",
    "resolve",
]
