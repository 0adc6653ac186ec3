"""One batch, one transaction: dedup, link people, families, cases, priority, receipts, alerts.

`process_batch` walks the batch's valid signals in order against the state `load` read (so later
signals see what earlier ones created), records rejections' receipts, numbers new cases, renders
the outbox, writes everything with bulk statements and commits. It returns what the loop needs
for metrics. Redelivery of an already committed message changes nothing (invariant 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from consumers.intake.casework import Casework
from consumers.intake.linking import Linked, People, link_rows, record_of
from consumers.intake.load import load_cases, load_registry
from consumers.intake.messages import Accepted, Rejected, signal_row, signal_values
from consumers.intake.outgoing import AlertIntent, ReceiptIntent, render
from consumers.intake.placing import family_for, route
from signalhub.domain.cases import CaseAction
from signalhub.domain.intake_rules import (
    Dedup,
    PastSignal,
    alerts_for,
    case_number,
    corroborated_signal,
    dedup,
)
from signalhub.domain.linkage.config import LinkageConfig
from signalhub.domain.linkage.model import Band
from signalhub.domain.priority import AckDeadlines
from signalhub.domain.vocabulary import PriorityLevel, ReceiptStatus, SignalType
from signalhub.settings import KafkaSettings
from signalhub.signal_rules import SignalRules
from signalhub.store.intake_rows import CaseRow, Changes, SignalRow
from signalhub.store.intake_writes import next_case_numbers, write_changes

__all__ = ["BatchResult", "IntakeConfig", "process_batch"]


@dataclass(frozen=True)
class IntakeConfig:
    kafka: KafkaSettings
    region_code: str
    linkage: LinkageConfig
    deadlines: AckDeadlines = field(default_factory=AckDeadlines)
    max_signal_age: timedelta = SignalRules("").max_age

    @property
    def rules(self) -> SignalRules:
        """The bounds intake validates signals with, as every other edge does."""
        return SignalRules(region_code=self.region_code, max_age=self.max_signal_age)


@dataclass
class BatchResult:
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (agency, outcome)
    bands: list[str] = field(default_factory=list)


def process_batch(
    engine: Engine,
    config: IntakeConfig,
    accepted: Sequence[Accepted],
    rejected: Sequence[Rejected],
    now: datetime,
) -> BatchResult:
    """Apply the batch in one transaction (raises on any database error: nothing is written).

    Two passes: first dedup and link every signal's people in order (later signals see the
    persons earlier ones created), then, with the families of the linked persons loaded and
    locked, place each signal in its family and case in the same order."""
    with engine.begin() as conn:
        registry = load_registry(conn, accepted, config.linkage)
        unit = _Unit(config, registry.inbox, registry.by_record, now)
        unit.people = People(registry.index, registry.persons, config.linkage, unit.changes)
        admitted = [item for a in accepted if (item := unit.admit(a)) is not None]
        linked = {link.person_id for _, links in admitted for _, link in links}
        state = load_cases(conn, linked, registry, now)
        unit.work = Casework(
            state.families, state.cases, state.case_signals, state.case_children, registry.persons,
            unit.changes, now, config.deadlines,
        )  # fmt: skip
        for a, links in admitted:
            unit.settle(a, links)
        for r in rejected:
            unit.receipts.append(
                ReceiptIntent(r.position, r.agency, r.event_id, r.source_record_id, ReceiptStatus.REJECTED,
                         reason=f"{r.reason}: {r.message}"[:500], error_field=r.error_field,
                         source_key=r.source_key)
            )  # fmt: skip
            unit.result.outcomes.append((r.agency, "rejected"))
        new_cases = [c for c in state.cases.values() if c.new]
        if new_cases:
            scope = f"{config.region_code}-{now.year}"
            for case, n in zip(new_cases, next_case_numbers(conn, scope, len(new_cases)), strict=True):
                case.number = case_number(config.region_code, now.year, n)
        unit.changes.outbox += render(
            config.kafka, unit.receipts, unit.alerts, state.cases, state.case_children, now
        )
        write_changes(
            conn, state.families.values(), registry.persons.values(), state.cases.values(),
            unit.signals.values(), unit.changes, commit=True,
        )  # fmt: skip
    return unit.result


Links = list[tuple[Any, Linked]]


class _Unit:
    people: People
    work: Casework

    def __init__(
        self,
        config: IntakeConfig,
        inbox: dict[tuple[str, str], Any],
        by_record: dict[Any, SignalRow],
        now: datetime,
    ):
        self.config, self.inbox, self.by_record, self.now = config, inbox, by_record, now
        self.changes = Changes()
        self.result = BatchResult()
        self.receipts: list[ReceiptIntent] = []
        self.alerts: list[AlertIntent] = []
        self.signals: dict[str, SignalRow] = {}
        self.pending: dict[tuple[str, str], str] = {}  # records first seen in this batch -> event id

    def admit(self, a: Accepted) -> tuple[Accepted, Links] | None:
        """Dedup, then link the signal's people; None when the signal has no further effect."""
        s, eid, agency = a.signal, str(a.signal.event_id), a.signal.agency.value
        record = (agency, s.source_record_id)
        existing = self.by_record.get(record)
        known = existing.event_id if existing else self.pending.get(record)
        kind = dedup(a.position, self.inbox.get((agency, eid)), known, eid)
        if kind is Dedup.REDELIVERED:
            self.result.outcomes.append((agency, "redelivered"))
            return None
        if kind is Dedup.DUPLICATE:
            self.receipts.append(
                ReceiptIntent(a.position, agency, eid, s.source_record_id, ReceiptStatus.DUPLICATE)
            )
            self.result.outcomes.append((agency, "duplicate"))
            return None
        self.inbox[(agency, eid)] = a.position
        self.pending.setdefault(record, eid)
        address = s.address.text if s.address else None
        people = [*s.children, *s.adults]
        linked = self.people.link_signal([(p.role, record_of(p, address)) for p in people], self.now)
        links = list(zip(people, linked, strict=True))
        self.result.bands += [link.decision.band.value for _, link in links]
        return a, links

    def settle(self, a: Accepted, links: Links) -> None:
        """Place an admitted signal in its family and case; write its history, alerts, receipt."""
        s, eid, agency = a.signal, str(a.signal.event_id), a.signal.agency.value
        existing = self.by_record.get((agency, s.source_record_id))
        target = family_for(self.work, self.people.persons, links, existing)
        signal = existing or self._new_signal(a, target)
        action, case, last_closed_at = route(
            self.work, signal, target, existing is not None, self.now, self.config.region_code
        )
        level_before = None if action is CaseAction.OPEN else PriorityLevel(case.priority_level)
        agencies_before = set(case.agencies)
        if existing is None:
            past = [
                PastSignal(p.id, p.agency, SignalType(p.signal_type), p.occurred_at)
                for p in self.work.case_signals.get(case.id, [])
            ]
            signal.corroborates_id = corroborated_signal(agency, s.signal_type, s.occurred_at, past)
        self._update_signal(signal, a, target, case)
        children = self.work.case_children.setdefault(case.id, {})
        for person, link in links:
            if person.role.value == "child":
                children[link.person_id] = self.people.persons[link.person_id].birth_date
        priority = self.work.reprioritise(case, last_closed_at)
        possible = sum(1 for _, link in links if link.decision.band is Band.POSSIBLE)
        self.changes.signal_persons += link_rows(signal.id, links)
        self.work.history(action.value, case, signal, existing is not None, level_before, possible)
        if existing is None:
            types = alerts_for(
                action, level_before, priority.level, agency not in agencies_before, possible > 0
            )
        else:
            types = alerts_for(CaseAction.JOIN, level_before, priority.level, False, possible > 0)[1:]
        detail = f"{agency}/{s.signal_type.value} ({s.severity.value})"
        self.alerts += [
            AlertIntent(case.id, t, f"{agency}/{eid}", detail) for t in types
        ]  # ids are the agency's
        status = ReceiptStatus.AMENDED if existing else ReceiptStatus.ACCEPTED
        corroborated = signal.corroborates_id is not None
        self.receipts.append(
            ReceiptIntent(a.position, agency, eid, s.source_record_id, status, case.id, corroborated)
        )
        outcome = "amended" if existing else "corroborated" if corroborated else "accepted"
        self.result.outcomes.append((agency, outcome))
        self.changes.inbox.append(
            {"event_id": eid, "agency": agency, "outcome": outcome, "topic": a.position[0],
             "partition": a.position[1], "offset": a.position[2], "processed_at": self.now}
        )  # fmt: skip

    def _new_signal(self, a: Accepted, family_id: str) -> SignalRow:
        row = signal_row(a, family_id, self.now)
        self.by_record[(row.agency, row.source_record_id)] = row
        return row

    def _update_signal(self, signal: SignalRow, a: Accepted, family_id: str, case: CaseRow) -> None:
        s = a.signal
        if not signal.new:
            signal.event_id, signal.signal_type, signal.severity = (
                str(s.event_id),
                s.signal_type.value,
                s.severity.value,
            )
            signal.occurred_at, signal.values = s.occurred_at, signal_values(a, self.now)
            self.changes.replaced_links.add(signal.id)
        signal.version += 1
        signal.family_id, signal.case_id, signal.dirty = family_id, case.id, True
        self.signals[signal.id] = signal
        members = self.work.case_signals.setdefault(case.id, [])
        if all(m.id != signal.id for m in members):
            members.append(signal)
