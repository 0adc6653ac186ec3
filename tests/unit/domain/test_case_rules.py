"""Merge and split back, priority reassessment, deadlines and date rules of the case model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from signalhub.domain.case_deadlines import (
    DateRuleError,
    Reminder,
    check_conference_time,
    check_plan_due,
    check_review_date,
    is_ack_overdue,
    next_ack_deadline,
    review_reminder,
)
from signalhub.domain.case_events import CaseEventKind
from signalhub.domain.case_merge import (
    MergeRefusedError,
    MergeSide,
    check_merge,
    check_split_back,
    merged_ack_deadline,
    older_first,
    surviving,
)
from signalhub.domain.case_priority import reassess
from signalhub.domain.cases import CaseStatus, ConfirmationRequiredError, TransitionError
from signalhub.domain.priority import AckDeadlines, CaseFacts, Priority, SignalFact
from signalhub.domain.vocabulary import PriorityLevel, Severity, SignalType
from signalhub.russian_names import CASE_EVENT

S = CaseStatus
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def side(case_id: str, family: str, persons: set[str], status: CaseStatus = S.ASSESSMENT) -> MergeSide:
    return MergeSide(case_id, status, family, NOW - timedelta(days=len(case_id)), frozenset(persons))


def test_merge_only_one_family_or_families_sharing_a_person() -> None:
    a, b = side("a", "f1", {"p1", "p2"}), side("bb", "f1", {"p3"})
    check_merge(a, b, confirmed=True, reason="одна семья")
    shared = side("cc", "f2", {"p2", "p9"})
    check_merge(a, shared, confirmed=True, reason="общая мать")
    stranger = side("dd", "f3", {"p7"})
    with pytest.raises(MergeRefusedError, match="different families that share no person"):
        check_merge(a, stranger, confirmed=True, reason="ошибка")
    with pytest.raises(MergeRefusedError, match="itself"):
        check_merge(a, a, confirmed=True, reason="x")
    with pytest.raises(MergeRefusedError, match="only open cases"):
        check_merge(a, side("ee", "f1", set(), S.CLOSED), confirmed=True, reason="x")


def test_merge_needs_confirmation_and_a_reason() -> None:
    a, b = side("a", "f1", set()), side("bb", "f1", set())
    with pytest.raises(ConfirmationRequiredError, match="confirm"):
        check_merge(a, b, confirmed=False, reason="одна семья")
    with pytest.raises(ConfirmationRequiredError, match="reason"):
        check_merge(a, b, confirmed=True, reason=" ")


def test_older_case_survives_and_ids_lead_to_the_survivor() -> None:
    old, young = side("older", "f", set()), side("y", "f", set())
    assert older_first(young, old) == (old, young)
    chain = {"c1": "c2", "c2": "c3"}
    assert surviving("c1", chain.get) == "c3"
    assert surviving("c3", chain.get) == "c3"
    with pytest.raises(TransitionError):
        surviving("x", {"x": "y", "y": "x"}.get)


def test_split_back_only_of_a_merged_case_into_an_open_one() -> None:
    check_split_back(S.CLOSED, "c2", S.ASSESSMENT)
    with pytest.raises(TransitionError, match="not merged"):
        check_split_back(S.CLOSED, None, S.ASSESSMENT)
    with pytest.raises(TransitionError, match="not merged"):
        check_split_back(S.MONITORING, "c2", S.ASSESSMENT)
    with pytest.raises(TransitionError, match="reopen it first"):
        check_split_back(S.CLOSED, "c2", S.CLOSED)


def fact(agency: str, days_ago: int = 1) -> SignalFact:
    return SignalFact(SignalType.DOMESTIC_VIOLENCE, Severity.HIGH, agency, NOW - timedelta(days=days_ago))


def test_reassessment_explains_every_agency_that_joined() -> None:
    two = CaseFacts((fact("police"), fact("health")), ())
    four = CaseFacts((*two.signals, fact("education"), fact("social")), ())
    before = reassess(two, status=S.ASSESSMENT, ack_deadline=None, now=NOW, deadlines=AckDeadlines())
    after = reassess(four, status=S.ASSESSMENT, ack_deadline=None, now=NOW, deadlines=AckDeadlines())
    assert {"code": "agencies_30d:2", "points": 10} in before.rules
    assert {"code": "agencies_30d:4", "points": 30} in after.rules
    assert after.agencies == ("education", "health", "police", "social")
    assert after.priority.score == before.priority.score + 20


def test_ack_deadline_set_while_waiting_and_only_moved_earlier_while_new() -> None:
    d = AckDeadlines()
    urgent, normal = Priority(80, PriorityLevel.URGENT), Priority(10, PriorityLevel.NORMAL)
    assert next_ack_deadline(S.NEW, None, normal, NOW, d) == NOW + timedelta(hours=72)
    assert next_ack_deadline(S.ASSESSMENT, None, urgent, NOW, d) == NOW + timedelta(hours=1)
    later = NOW + timedelta(hours=5)
    assert next_ack_deadline(S.NEW, later, urgent, NOW, d) == NOW + timedelta(hours=1)
    assert next_ack_deadline(S.NEW, later, normal, NOW, d) == later
    assert next_ack_deadline(S.MONITORING, None, urgent, NOW, d) is None
    assert next_ack_deadline(S.MONITORING, later, urgent, NOW, d) == later
    assert is_ack_overdue(S.NEW, None, NOW, NOW)
    assert not is_ack_overdue(S.NEW, None, NOW + timedelta(seconds=1), NOW)
    assert not is_ack_overdue(S.ACKNOWLEDGED, NOW, NOW - timedelta(hours=1), NOW)


def test_review_reminders_the_day_before_and_on_the_day() -> None:
    today = date(2026, 3, 1)
    assert review_reminder(today, today) is Reminder.ON_DAY
    assert review_reminder(date(2026, 3, 2), today) is Reminder.DAY_BEFORE
    assert review_reminder(date(2026, 3, 3), today) is None
    assert review_reminder(date(2026, 2, 28), today) is None


def test_dates_in_the_past_and_plan_items_due_before_opening_are_refused() -> None:
    check_conference_time(NOW + timedelta(minutes=1), NOW)
    with pytest.raises(DateRuleError, match=r"scheduled_at: .* in the past"):
        check_conference_time(NOW - timedelta(minutes=1), NOW)
    with pytest.raises(DateRuleError, match="time zone"):
        check_conference_time(datetime(2030, 1, 1), NOW)
    today = date(2026, 3, 1)
    check_review_date(today, today)
    with pytest.raises(DateRuleError, match="review_date"):
        check_review_date(date(2026, 2, 28), today)
    with pytest.raises(DateRuleError, match="follow_up_date"):
        check_review_date(date(2026, 2, 28), today, field="follow_up_date")
    check_plan_due(date(2026, 2, 1), date(2026, 2, 1))
    with pytest.raises(DateRuleError, match=r"due_date: .* before the case opened"):
        check_plan_due(date(2026, 1, 31), date(2026, 2, 1))


def test_every_case_event_has_a_label() -> None:
    assert set(CASE_EVENT) == {k.value for k in CaseEventKind}


def test_split_back_needs_a_recorded_merge_confirmation_and_reason() -> None:
    with pytest.raises(TransitionError, match="intake"):
        check_split_back(S.CLOSED, "c2", S.ASSESSMENT, recorded=False)
    with pytest.raises(ConfirmationRequiredError, match="confirm"):
        check_split_back(S.CLOSED, "c2", S.ASSESSMENT, confirmed=False)
    with pytest.raises(ConfirmationRequiredError, match="reason"):
        check_split_back(S.CLOSED, "c2", S.ASSESSMENT, reason="")


def test_merged_survivor_waiting_for_acknowledgement_keeps_the_earlier_deadline() -> None:
    early, late = NOW, NOW + timedelta(hours=3)
    assert merged_ack_deadline(S.NEW, late, early) == early
    assert merged_ack_deadline(S.NEW, None, early) == early
    assert merged_ack_deadline(S.ASSESSMENT, late, early) == late
