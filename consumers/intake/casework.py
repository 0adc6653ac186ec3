"""Families and cases of one batch, in memory, changed only as the case model decides
(`signalhub.domain.cases`, `case_merge`, `case_priority`): merge families, find or open or reopen
the family's case, merge open cases into the older one, reassess priority. Every change is recorded
as a case event in `changes`; the rows are written at the end of the batch.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from signalhub.domain.case_events import CaseEventKind as Ev
from signalhub.domain.case_merge import MergeSide, check_merge, older_first, surviving
from signalhub.domain.case_priority import reassess
from signalhub.domain.cases import CaseStatus, reopen
from signalhub.domain.priority import AckDeadlines, CaseFacts, Priority, SignalFact
from signalhub.domain.vocabulary import PriorityLevel, Severity, SignalType
from signalhub.store.base import new_id
from signalhub.store.intake_rows import CaseRow, Changes, FamilyRow, PersonRow, SignalRow

__all__ = ["ACTOR", "Casework"]

ACTOR = "intake"


def _side(case: CaseRow) -> MergeSide:
    return MergeSide(case.id, CaseStatus(case.status), case.family_id, case.opened_at)


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

    def event(self, case: str, kind: Ev, **data: Any) -> None:
        self.changes.case_events.append(
            {"case_id": case, "at": self.now, "kind": kind.value, "actor": ACTOR, "data": data}
        )

    def family(self, family_id: str) -> str:
        """The surviving family of a possibly merged one."""
        return surviving(family_id, lambda f: self.families[f].merged_into)

    def case(self, case_id: str) -> CaseRow:
        """The surviving case of a possibly merged one."""
        return self.cases[surviving(case_id, lambda c: self.cases[c].merged_into)]

    def new_family(self) -> str:
        row = FamilyRow(new_id(), self.now, new=True)
        self.families[row.id] = row
        return row.id

    def open_case(self, family_id: str) -> CaseRow | None:
        return next(
            (c for c in self._by_family.get(family_id, ()) if c.status != CaseStatus.CLOSED.value), None
        )

    def last_closed(self, family_id: str, besides: str | None = None) -> CaseRow | None:
        """The family's last case closed with an outcome (a merged case is not one)."""
        closed = [
            c
            for c in self._by_family.get(family_id, ())
            if c.status == CaseStatus.CLOSED.value and not c.merged_into and c.id != besides
        ]
        return max(closed, key=lambda c: (c.closed_at or c.opened_at, c.id), default=None)

    def merge_family(self, old: str, target: str, cause: str) -> None:
        """Fold family `old` into `target` (a signal named them together): persons, signals,
        cases; their open cases are merged as the case model says."""
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
            self.merge_cases(a, b, cause)

    def merge_cases(self, a: CaseRow, b: CaseRow, cause: str) -> None:
        check_merge(_side(a), _side(b), confirmed=True, reason=cause)
        first, second = older_first(_side(a), _side(b))
        survivor, merged = self.cases[first.id], self.cases[second.id]
        merged.status, merged.merged_into, merged.closed_at = CaseStatus.CLOSED.value, survivor.id, self.now
        merged.updated_at, merged.dirty = self.now, True
        survivor.dirty = True
        self.changes.case_moves.append((merged.id, survivor.id))
        moved = self.case_signals.pop(merged.id, [])
        for s in moved:
            s.case_id = survivor.id
        self.case_signals.setdefault(survivor.id, []).extend(moved)
        self.case_children.setdefault(survivor.id, {}).update(self.case_children.pop(merged.id, {}))
        survivor.agencies = sorted(set(survivor.agencies) | set(merged.agencies))
        self.event(merged.id, Ev.MERGED_INTO, case_id=survivor.id, cause=cause)
        self.event(survivor.id, Ev.MERGED_FROM, case_id=merged.id, cause=cause)

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
        """Reassess the case from its signals and children (`domain.case_priority.reassess`)."""
        facts = CaseFacts(
            signals=tuple(
                SignalFact(SignalType(s.signal_type), Severity(s.severity), s.agency, s.occurred_at)
                for s in self.case_signals.get(case.id, [])
            ),
            child_birth_dates=tuple(self.case_children.get(case.id, {}).values()),
            last_closed_at=last_closed_at,
        )
        result = reassess(
            facts, status=CaseStatus(case.status), ack_deadline=case.ack_deadline, now=self.now,
            deadlines=self.deadlines, known_agencies=case.agencies,
        )  # fmt: skip
        case.priority_level, case.priority_score = result.priority.level.value, result.priority.score
        case.priority_rules, case.agencies = result.rules, list(result.agencies)
        case.ack_deadline = result.ack_deadline
        case.updated_at, case.dirty = self.now, True
        return result.priority

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
            self.event(case.id, Ev.SIGNAL_AMENDED, version=signal.version, **data)
        else:
            if action != "join":
                self.event(case.id, Ev.CASE_OPENED if action == "open" else Ev.CASE_REOPENED, **data)
            self.event(case.id, Ev.SIGNAL_ADDED, corroborates_id=signal.corroborates_id, **data)
        if before is not None and before.value != case.priority_level:
            self.event(case.id, Ev.PRIORITY_CHANGED, before=before.value, after=case.priority_level,
                       score=case.priority_score)  # fmt: skip
        if possible:
            self.event(case.id, Ev.POSSIBLE_MATCH, persons=possible, **data)
