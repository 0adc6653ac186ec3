"""The pure decisions of intake: dedup levels, corroboration, case routing, alerts, ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from signalhub.domain.cases import CaseAction, decide_case
from signalhub.domain.families import FamilyPlan, plan_family
from signalhub.domain.intake_rules import (
    Dedup,
    PastSignal,
    alert_id,
    alerts_for,
    case_number,
    corroborated_signal,
    dedup,
    receipt_id,
)
from signalhub.domain.vocabulary import AlertType, PriorityLevel, SignalType

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HERE = ("signals.police", 0, 7)


def test_dedup_levels() -> None:
    assert dedup(HERE, None, None, "e1") is Dedup.NEW
    assert dedup(HERE, HERE, "e1", "e1") is Dedup.REDELIVERED  # the same message after a crash: no effect
    assert dedup(HERE, ("signals.police", 1, 3), "e1", "e1") is Dedup.DUPLICATE  # a resend
    assert dedup(HERE, None, "e0", "e1") is Dedup.AMENDMENT
    assert dedup(HERE, None, "e1", "e1") is Dedup.NEW


def test_corroboration_needs_another_agency_same_concern_within_72h() -> None:
    police = PastSignal("s1", "police", SignalType.DOMESTIC_VIOLENCE, NOW - timedelta(hours=70))
    same_agency = PastSignal("s2", "health", SignalType.SUSPICIOUS_INJURY, NOW - timedelta(hours=1))
    other_concern = PastSignal("s3", "education", SignalType.NOT_ENROLLED, NOW)
    too_old = PastSignal("s4", "police", SignalType.DOMESTIC_VIOLENCE, NOW - timedelta(hours=73))
    found = corroborated_signal(
        "health", SignalType.SUSPICIOUS_INJURY, NOW, [same_agency, other_concern, too_old, police]
    )
    assert found == "s1"
    assert corroborated_signal("health", SignalType.SUSPICIOUS_INJURY, NOW, [same_agency, too_old]) is None


def test_case_routing() -> None:
    assert decide_case(True, NOW - timedelta(days=1), NOW) is CaseAction.JOIN
    assert decide_case(False, NOW - timedelta(days=10), NOW) is CaseAction.REOPEN
    assert decide_case(False, NOW - timedelta(days=31), NOW) is CaseAction.OPEN
    assert decide_case(False, None, NOW) is CaseAction.OPEN


def test_alerts() -> None:
    assert alerts_for(CaseAction.OPEN, None, PriorityLevel.HIGH, True, False) == [AlertType.CASE_OPENED]
    assert alerts_for(CaseAction.JOIN, PriorityLevel.HIGH, PriorityLevel.HIGH, False, False) == [
        AlertType.SIGNAL_ADDED
    ]
    assert alerts_for(CaseAction.JOIN, PriorityLevel.NORMAL, PriorityLevel.HIGH, False, True) == [
        AlertType.SIGNAL_ADDED, AlertType.CASE_ESCALATED, AlertType.POSSIBLE_MATCH,
    ]  # fmt: skip
    assert (
        alerts_for(CaseAction.JOIN, PriorityLevel.URGENT, PriorityLevel.URGENT, True, False)[-1]
        is AlertType.CASE_ESCALATED
    )
    assert alerts_for(CaseAction.REOPEN, PriorityLevel.NORMAL, PriorityLevel.NORMAL, False, False) == [
        AlertType.CASE_REOPENED
    ]


def test_ids_are_stable_and_distinct() -> None:
    assert alert_id("c1", AlertType.CASE_OPENED, "e1") == alert_id("c1", AlertType.CASE_OPENED, "e1")
    assert alert_id("c1", AlertType.CASE_OPENED, "e1") != alert_id("c1", AlertType.SIGNAL_ADDED, "e1")
    assert receipt_id("t", 0, 1) == receipt_id("t", 0, 1) != receipt_id("t", 0, 2)
    assert case_number("31", 2026, 123) == "31-2026-000123"


def test_families_merge_into_the_oldest() -> None:
    created = {"a": NOW, "b": NOW - timedelta(days=1), "c": NOW}
    assert plan_family([None, None], created) == FamilyPlan(None, ())
    assert plan_family(["a", None, "a"], created) == FamilyPlan("a", ())
    assert plan_family(["a", "c", "b"], created) == FamilyPlan("b", ("a", "c"))
