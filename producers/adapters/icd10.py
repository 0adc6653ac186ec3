"""ICD-10 codes of a health notice -> a signal type, by the table data/icd10_signal_types.csv.

Each row covers a range of three-character categories (`from`..`to`, inclusive) and may require a
condition: `infant` (the youngest child is under one year when it happened) or `refusal` (the
notice records the mother's written refusal of her newborn). Of all matching rows the most severe
wins; ties go to the earlier row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from producers.adapters.base import DATA_DIR

_CODE = re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$")
# Cyrillic letters typed for their Latin twins in medical records ("Т74.1").
_LOOKALIKE = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


@dataclass(frozen=True)
class Rule:
    first: str
    last: str
    signal_type: str
    severity: str
    requires: str

    def covers(self, category: str) -> bool:
        return self.first <= category <= self.last


@cache
def rules() -> tuple[Rule, ...]:
    with (DATA_DIR / "icd10_signal_types.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            Rule(row["from"], row["to"], row["signal_type"], row["severity"], row["requires"].strip())
            for row in csv.DictReader(handle)
        )


def normalise(code: str) -> str | None:
    """`"т74.1 "` -> `"T74.1"`; None when it is not an ICD-10 code."""
    text = code.strip().upper().translate(_LOOKALIKE).replace(",", ".")
    return text if _CODE.match(text) else None


def classify(codes: list[str], *, infant: bool, refusal: bool) -> Rule | None:
    """The winning rule for normalised `codes`, or None when no row applies."""
    best: Rule | None = None
    for code in codes:
        category = code[:3]
        for rule in rules():
            if not rule.covers(category):
                continue
            if (rule.requires == "infant" and not infant) or (rule.requires == "refusal" and not refusal):
                continue
            if best is None or SEVERITY_RANK[rule.severity] > SEVERITY_RANK[best.severity]:
                best = rule
    return best
