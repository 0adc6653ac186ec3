"""Priority reassessment of a case: whenever its signals change (a signal joins, agencies join by a
merge, a merge is split back) the score, its explanation, the agencies and the acknowledgement
deadline are recomputed together from the case's facts, never carried over from another case, so
the explanation always counts the agencies the case has."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from signalhub.domain.case_deadlines import next_ack_deadline
from signalhub.domain.cases import CaseStatus
from signalhub.domain.priority import AckDeadlines, CaseFacts, Priority, assess

__all__ = ["Reassessment", "reassess"]


@dataclass(frozen=True)
class Reassessment:
    priority: Priority
    agencies: tuple[str, ...]
    ack_deadline: datetime | None

    @property
    def rules(self) -> list[dict[str, Any]]:
        """The explanation as stored on the case (`priority_rules`)."""
        return [{"code": r.code, "points": r.points} for r in self.priority.rules]


def reassess(
    facts: CaseFacts,
    *,
    status: CaseStatus,
    ack_deadline: datetime | None,
    now: datetime,
    deadlines: AckDeadlines,
    known_agencies: Iterable[str] = (),
) -> Reassessment:
    """The case's priority as it stands at `now`; `known_agencies` are agencies the case has from
    signals not among `facts` (intake reads only the signals it needs)."""
    priority = assess(facts, now)
    agencies = tuple(sorted({s.agency for s in facts.signals} | set(known_agencies)))
    deadline = next_ack_deadline(status, ack_deadline, priority, now, deadlines)
    return Reassessment(priority=priority, agencies=agencies, ack_deadline=deadline)
