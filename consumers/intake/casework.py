"""Families and cases of one batch, in memory: merge families, find or open or reopen the family's
case, merge open cases into the older one, recompute priority. Every change is recorded as a case
event in `changes`; the rows are written at the end of the batch.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from signalhub.domain.cases import CaseStatus, reopen
from signalhub.domain.priority import AckDeadlines, CaseFacts, Priority, SignalFact, assess
from signalhub.domain.vocabulary import PriorityLevel, Severity, SignalType
from signalhub.store.base import new_id
from signalhub.store.intake_rows import CaseRow, Changes, FamilyRow, PersonRow, SignalRow

__all__ = ["ACTOR", "Casework"]

ACTOR = "intake"
CLOSED = CaseStatus.CLOSED.value


class Casework:
    def __init__(
        self,
        families: dict[str, FamilyRow],
        cases: dict[str, CaseRow],
        case_signals: dict[str, list[SignalRow]],
        case_children: dict[str, dict[str, date | None]],
        persons: dict[str, PersonRow],
        changes: Changes,
        now: datetime,
        deadlines: AckDeadlines,
    ) -> None:
        self.families, self.cases, self.persons = families, cases, persons
        self.case_signals, self.case_children = case_signals, case_children
        self.changes, self.now, self.deadlines = changes, now, deadlines
        self._by_family: dict[str, list[CaseRow]] = {}  # family id -> its cases
        for c in cases.values():
            self._by_family.setdefault(c.family_id, []).append(c)

    def event(self, case_id: str, kind: str, **data: Any) -> None:
        self.changes.case_events.append(
            {"case_id": case_id, "at": self.now, "kind": kind, "actor": ACTOR, "data": data}
        )

    def family(self, family_id: str) -> str:
        """The surviving family of a possibly merged one."""
        while (merged := self.families[family_id].merged_into) is not None:
            family_id = merged
        return family_id

    def new_family(self) -> str:
        row = FamilyRow(new_id(), self.now, new=True)
        self.families[row.id] = row
        return row.id

    def open_case(self, family_id: str) -> CaseRow | None:
        return next((c for c in self._by_family.get(family_id, ()) if c.status != CLOSED), None)

    def last_closed(self, family_id: str, besides: str | None = None) -> CaseRow | None:
        closed = [
            c
            for c in self._by_family.get(family_id, ())
            if c.status == CLOSED and not c.merged_into and c.id != besides
        ]
        return max(closed, key=lambda c: (c.closed_at or c.opened_at, c.id), default=None)

    def merge_family(self, old: str, target: str, cause: str) -> None:
        """Fold family `old` into `target`: persons, signals, cases; open cases into the older."""
        self.families[old].merged_into = target
        self.families[old].dirty = True
        self.changes.family_moves.append((old, target))
        for p in self.persons.values():
            if p.family_id == old:
                p.family_id = target
        for signals in self.case_signals.values():
            for s in signals:
                if s.family_id == old:
                    s.family_id = target
        a, b = self.open_case(target), self.open_case(old)
        moved = self._by_family.pop(old, [])
        for c in moved:
            c.family_id = target
            c.dirty = True
        self._by_family.setdefault(target, []).extend(moved)
        if a is not None and b is not None:
            survivor, merged = sorted((a, b), key=lambda c: (c.opened_at, c.id))
            self.merge_case(merged, survivor, cause)

    def merge_case(self, merged: CaseRow, survivor: CaseRow, cause: str) -> None:
        merged.status, merged.merged_into, merged.closed_at = CLOSED, survivor.id, self.now
        merged.updated_at, merged.dirty = self.now, True
        survivor.dirty = True
        self.changes.case_moves.append((merged.id, survivor.id))
        moved = self.case_signals.pop(merged.id, [])
        for s in moved:
            s.case_id = survivor.id
        self.case_signals.setdefault(survivor.id, []).extend(moved)
        self.case_children.setdefault(survivor.id, {}).update(self.case_children.pop(merged.id, {}))
        survivor.agencies = sorted(set(survivor.agencies) | set(merged.agencies))
        self.event(merged.id, "case_merged", into=survivor.id, cause=cause)
        self.event(survivor.id, "case_merged", absorbed=merged.id, cause=cause)

    def open_new(self, family_id: str, region_code: str, municipality_code: str) -> CaseRow:
        case = CaseRow(
            id=new_id(), number=None, family_id=family_id, region_code=region_code,
            municipality_code=municipality_code, status=CaseStatus.NEW.value, priority_level="normal",
            priority_score=0, priority_rules=[], agencies=[], opened_at=self.now, ack_deadline=None,
            closed_at=None, merged_into=None, updated_at=self.now, new=True,
        )  # fmt: skip
        self.cases[case.id] = case
        self._by_family.setdefault(family_id, []).append(case)
        self.case_signals[case.id] = []
        self.case_children[case.id] = {}
        return case

    def reopen(self, case: CaseRow) -> None:
        case.status = reopen(CaseStatus(case.status)).value
        case.closed_at, case.updated_at, case.dirty = None, self.now, True
        case.ack_deadline = None

    def reprioritise(self, case: CaseRow, last_closed_at: datetime | None) -> Priority:
        """Recompute the case's priority from its signals and children; set the ack deadline
        when the case still waits for acknowledgement (never later than it already was)."""
        facts = CaseFacts(
            signals=tuple(
                SignalFact(SignalType(s.signal_type), Severity(s.severity), s.agency, s.occurred_at)
                for s in self.case_signals.get(case.id, [])
            ),
            child_birth_dates=tuple(self.case_children.get(case.id, {}).values()),
            last_closed_at=last_closed_at,
        )
        priority = assess(facts, self.now)
        case.priority_level, case.priority_score = priority.level.value, priority.score
        case.priority_rules = [{"code": r.code, "points": r.points} for r in priority.rules]
        case.agencies = sorted({s.agency for s in self.case_signals.get(case.id, [])} | set(case.agencies))
        if case.status in (CaseStatus.NEW.value, CaseStatus.ASSESSMENT.value) and case.ack_deadline is None:
            case.ack_deadline = priority.ack_deadline(self.now, self.deadlines)
        elif case.status == CaseStatus.NEW.value and case.ack_deadline is not None:
            case.ack_deadline = min(case.ack_deadline, priority.ack_deadline(self.now, self.deadlines))
        case.updated_at, case.dirty = self.now, True
        return priority

    def history(
        self,
        action: str,
        case: CaseRow,
        signal: SignalRow,
        amended: bool,
        before: PriorityLevel | None,
        possible: int,
    ) -> None:
        """The case events of one signal: opened/reopened, added or amended, priority, possible match."""
        data = {"signal_id": signal.id, "agency": signal.agency, "signal_type": signal.signal_type}
        if amended:
            self.event(case.id, "signal_amended", version=signal.version, **data)
        else:
            if action != "join":
                self.event(case.id, "case_opened" if action == "open" else "case_reopened", **data)
            self.event(case.id, "signal_added", corroborates_id=signal.corroborates_id, **data)
        if before is not None and before.value != case.priority_level:
            self.event(case.id, "priority_changed", before=before.value, after=case.priority_level,
                       score=case.priority_score)  # fmt: skip
        if possible:
            self.event(case.id, "possible_match", persons=possible, **data)
