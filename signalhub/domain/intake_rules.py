"""What intake does with a signal, given the state it found: pure decisions, no I/O.

- Dedup (DESIGN.md, three levels): the same `event_id` again is a duplicate (no effect), unless
  it is the very same Kafka message delivered again after a crash (same topic, partition and
  offset), which is silently ignored so that processing twice equals processing once; the same
  `(agency, source_record_id)` with a new event is an amendment; a signal of another agency about
  the same family within 72 h and of the same concern is a corroboration.
- "Same type" across agencies: every agency has its own signal types (a school never reports
  `suspicious_injury`), so corroboration compares *concerns*, groups of types that describe the
  same danger seen by different agencies (`CONCERN`); equal types are trivially the same concern.
- Cases: which case a signal goes to is the case model's rule (`signalhub.domain.cases.decide_case`).
- Alerts: case_opened or case_reopened or signal_added, plus case_escalated when the priority
  level rose or a new agency joined, plus possible_match when a person was linked in the possible
  band. Alert and receipt ids are UUIDv5 of their cause, so a rule firing twice writes one message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from signalhub.domain.cases import CaseAction
from signalhub.domain.vocabulary import AlertType, PriorityLevel, SignalType

__all__ = [
    "CONCERN",
    "CORROBORATION_WINDOW",
    "NAMESPACE",
    "Dedup",
    "PastSignal",
    "alert_id",
    "alerts_for",
    "case_number",
    "corroborated_signal",
    "dedup",
    "receipt_id",
]

NAMESPACE = uuid.UUID("6f1d3c2e-4b7a-5e21-9c0d-2a1b7e5f9d40")
CORROBORATION_WINDOW = timedelta(hours=72)
_LEVEL_RANK = {PriorityLevel.NORMAL: 0, PriorityLevel.HIGH: 1, PriorityLevel.URGENT: 2}

CONCERN: dict[SignalType, str] = {
    SignalType.DOMESTIC_VIOLENCE: "violence",
    SignalType.SUSPICIOUS_INJURY: "violence",
    SignalType.CHILD_UNSUPERVISED: "neglect",
    SignalType.SIGNS_OF_NEGLECT: "neglect",
    SignalType.MALNUTRITION: "neglect",
    SignalType.MISSED_CHECKUPS: "neglect",
    SignalType.PROLONGED_ABSENCE: "neglect",
    SignalType.NOT_ENROLLED: "neglect",
    SignalType.PARENT_INTOXICATED: "parent_incapacity",
    SignalType.PARENT_SUBSTANCE_TREATMENT: "parent_incapacity",
    SignalType.PARENT_DETAINED: "parent_incapacity",
    SignalType.MISSING_CHILD: "loss_of_care",
    SignalType.CHILD_WITHOUT_CARE: "loss_of_care",
    SignalType.NEWBORN_ABANDONMENT_RISK: "loss_of_care",
    SignalType.TEMPORARY_PLACEMENT_REQUEST: "loss_of_care",
    SignalType.INSTITUTIONAL_PLACEMENT: "loss_of_care",
    SignalType.PARENTAL_RIGHTS_RESTRICTED: "parental_rights",
    SignalType.PARENTAL_RIGHTS_TERMINATED: "parental_rights",
    SignalType.DIFFICULT_LIFE_SITUATION: "hardship",
    SignalType.HOUSING_LOSS: "hardship",
    SignalType.OTHER: "other",
}


class Dedup(StrEnum):
    NEW = "new"
    REDELIVERED = "redelivered"
    DUPLICATE = "duplicate"
    AMENDMENT = "amendment"


def dedup(
    position: tuple[str, int, int],
    seen_at: tuple[str, int, int] | None,
    existing_event_id: str | None,
    event_id: str,
) -> Dedup:
    """Classify a signal: `seen_at` is where the inbox saw its event id (None: never);
    `existing_event_id` the current event of a stored signal with the same agency record."""
    if seen_at is not None:
        return Dedup.REDELIVERED if seen_at == position else Dedup.DUPLICATE
    if existing_event_id is not None and existing_event_id != event_id:
        return Dedup.AMENDMENT
    return Dedup.NEW


@dataclass(frozen=True)
class PastSignal:
    """A signal already in the family's open case, as corroboration sees it."""

    id: str
    agency: str
    signal_type: SignalType
    occurred_at: datetime


def corroborated_signal(
    agency: str, signal_type: SignalType, occurred_at: datetime, past: Iterable[PastSignal]
) -> str | None:
    """The earliest signal of another agency, same concern, within 72 h either way; else None."""
    concern = CONCERN.get(signal_type, "other")
    hits = [
        p
        for p in past
        if p.agency != agency
        and CONCERN.get(p.signal_type, "other") == concern
        and abs(p.occurred_at - occurred_at) <= CORROBORATION_WINDOW
    ]
    return min(hits, key=lambda p: (p.occurred_at, p.id)).id if hits else None


def alerts_for(
    action: CaseAction,
    level_before: PriorityLevel | None,
    level_after: PriorityLevel,
    new_agency: bool,
    possible_match: bool,
) -> list[AlertType]:
    """The alerts a signal raises on its case (see the module docstring)."""
    first = {
        CaseAction.OPEN: AlertType.CASE_OPENED,
        CaseAction.REOPEN: AlertType.CASE_REOPENED,
        CaseAction.JOIN: AlertType.SIGNAL_ADDED,
    }[action]
    alerts = [first]
    rose = level_before is not None and _LEVEL_RANK[level_after] > _LEVEL_RANK[level_before]
    if action is not CaseAction.OPEN and (rose or new_agency):
        alerts.append(AlertType.CASE_ESCALATED)
    if possible_match:
        alerts.append(AlertType.POSSIBLE_MATCH)
    return alerts


def alert_id(case_id: str, alert_type: AlertType, cause: str) -> str:
    """Stable id of an alert: the same case, type and cause always give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"alert|{case_id}|{alert_type.value}|{cause}"))


def receipt_id(topic: str, partition: int, offset: int) -> str:
    """Stable id of the one receipt a Kafka message gets."""
    return str(uuid.uuid5(NAMESPACE, f"receipt|{topic}|{partition}|{offset}"))


def case_number(region_code: str, year: int, sequence: int) -> str:
    """`31-2026-000123`: region, year, and the region's sequence number within that year."""
    return f"{region_code}-{year}-{sequence:06d}"
