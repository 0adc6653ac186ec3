"""Explainable priority: a score made of the rules that fired, a level and an acknowledgement deadline.

The rules (DESIGN.md): child under 4 (under 1 weighs more), signal type and severity, several
agencies within 30 days, a repeat within 6 months of a closed case. Weights are data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from signalhub.domain.vocabulary import PriorityLevel, Severity, SignalType

TYPE_POINTS: dict[SignalType, int] = {
    SignalType.CHILD_WITHOUT_CARE: 50,
    SignalType.NEWBORN_ABANDONMENT_RISK: 50,
    SignalType.MISSING_CHILD: 50,
    SignalType.SUSPICIOUS_INJURY: 45,
    SignalType.TEMPORARY_PLACEMENT_REQUEST: 40,
    SignalType.INSTITUTIONAL_PLACEMENT: 40,
    SignalType.DOMESTIC_VIOLENCE: 35,
    SignalType.PARENTAL_RIGHTS_TERMINATED: 35,
    SignalType.PARENT_INTOXICATED: 30,
    SignalType.CHILD_UNSUPERVISED: 30,
    SignalType.MALNUTRITION: 30,
    SignalType.PARENTAL_RIGHTS_RESTRICTED: 30,
    SignalType.PARENT_DETAINED: 25,
    SignalType.SIGNS_OF_NEGLECT: 25,
    SignalType.PARENT_SUBSTANCE_TREATMENT: 20,
    SignalType.HOUSING_LOSS: 20,
    SignalType.PROLONGED_ABSENCE: 15,
    SignalType.MISSED_CHECKUPS: 15,
    SignalType.DIFFICULT_LIFE_SITUATION: 10,
    SignalType.NOT_ENROLLED: 10,
    SignalType.OTHER: 10,
}
SEVERITY_POINTS: dict[Severity, int] = {
    Severity.LOW: 0,
    Severity.MEDIUM: 5,
    Severity.HIGH: 15,
    Severity.CRITICAL: 30,
}
UNDER_1_POINTS = 25
UNDER_4_POINTS = 15
PER_EXTRA_AGENCY_POINTS = 10
REPEAT_POINTS = 20
URGENT_FROM = 70
HIGH_FROM = 40


@dataclass(frozen=True)
class AckDeadlines:
    urgent: timedelta = timedelta(hours=1)
    high: timedelta = timedelta(hours=24)
    normal: timedelta = timedelta(hours=72)

    def of(self, level: PriorityLevel) -> timedelta:
        return {PriorityLevel.URGENT: self.urgent, PriorityLevel.HIGH: self.high}.get(level, self.normal)


@dataclass(frozen=True)
class SignalFact:
    signal_type: SignalType
    severity: Severity
    agency: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseFacts:
    """What priority is computed from: the case's signals, its children's birth dates, its history."""

    signals: tuple[SignalFact, ...]
    child_birth_dates: tuple[date | None, ...]
    last_closed_at: datetime | None = None


@dataclass(frozen=True)
class RuleHit:
    code: str
    points: int


@dataclass(frozen=True)
class Priority:
    score: int
    level: PriorityLevel
    rules: tuple[RuleHit, ...] = field(default=())

    def ack_deadline(self, since: datetime, deadlines: AckDeadlines) -> datetime:
        return since + deadlines.of(self.level)


def _age_months(born: date, today: date) -> int:
    return (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)


def assess(facts: CaseFacts, now: datetime) -> Priority:
    """Score the case as it stands at `now`; every point comes from a named rule."""
    hits: list[RuleHit] = []
    if facts.signals:
        worst = max(
            facts.signals, key=lambda s: TYPE_POINTS.get(s.signal_type, 10) + SEVERITY_POINTS[s.severity]
        )
        hits.append(RuleHit(f"type:{worst.signal_type}", TYPE_POINTS.get(worst.signal_type, 10)))
        if SEVERITY_POINTS[worst.severity]:
            hits.append(RuleHit(f"severity:{worst.severity}", SEVERITY_POINTS[worst.severity]))
    ages = [_age_months(b, now.date()) for b in facts.child_birth_dates if b is not None]
    if ages and min(ages) < 12:
        hits.append(RuleHit("child_under_1", UNDER_1_POINTS))
    elif ages and min(ages) < 48:
        hits.append(RuleHit("child_under_4", UNDER_4_POINTS))
    recent = {s.agency for s in facts.signals if now - s.occurred_at <= timedelta(days=30)}
    if len(recent) > 1:
        hits.append(RuleHit(f"agencies_30d:{len(recent)}", PER_EXTRA_AGENCY_POINTS * (len(recent) - 1)))
    if facts.last_closed_at is not None and now - facts.last_closed_at <= timedelta(days=183):
        hits.append(RuleHit("repeat_within_6_months", REPEAT_POINTS))
    score = sum(h.points for h in hits)
    level = (
        PriorityLevel.URGENT
        if score >= URGENT_FROM
        else PriorityLevel.HIGH
        if score >= HIGH_FROM
        else PriorityLevel.NORMAL
    )
    return Priority(score=score, level=level, rules=tuple(hits))


def youngest_age_months(birth_dates: tuple[date | None, ...], today: date) -> int | None:
    ages = [_age_months(b, today) for b in birth_dates if b is not None]
    return min(ages) if ages else None
