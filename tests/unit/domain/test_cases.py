"""The case model: every stage move it allows and every one it refuses, closing, reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from signalhub.domain.cases import (
    ORDER,
    TRANSITIONS,
    CaseAction,
    CaseStatus,
    ClosingFacts,
    ConfirmationRequiredError,
    Outcome,
    TransitionError,
    advance,
    allowed_moves,
    close,
    decide_case,
    ensure_open,
    reopen,
    reopenable,
)

S = CaseStatus
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ALLOWED = {
    (S.NEW, S.ACKNOWLEDGED),
    *((S.ACKNOWLEDGED, t) for t in (S.ASSESSMENT, S.CONFERENCE_SCHEDULED, S.SUPPORT_PLAN, S.MONITORING)),
    (S.ASSESSMENT, S.CONFERENCE_SCHEDULED),
    (S.ASSESSMENT, S.SUPPORT_PLAN),
    (S.ASSESSMENT, S.MONITORING),
    (S.CONFERENCE_SCHEDULED, S.SUPPORT_PLAN),
    (S.CONFERENCE_SCHEDULED, S.MONITORING),
    (S.SUPPORT_PLAN, S.MONITORING),
}
PAIRS = [(a, b) for a in S for b in S]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_moves(current: CaseStatus, target: CaseStatus) -> None:
    assert advance(current, target) is target
    assert target in allowed_moves(current)


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_every_other_move_is_refused(current: CaseStatus, target: CaseStatus) -> None:
    with pytest.raises(TransitionError):
        advance(current, target)
    assert target not in allowed_moves(current)


def test_refusals_name_the_rule() -> None:
    with pytest.raises(TransitionError, match="acknowledged first"):
        advance(S.NEW, S.ASSESSMENT)
    with pytest.raises(TransitionError, match="reopened first"):
        advance(S.CLOSED, S.MONITORING)
    with pytest.raises(TransitionError, match="needs an outcome"):
        advance(S.MONITORING, S.CLOSED)


def test_stage_selector_offers_moves_in_order() -> None:
    assert allowed_moves(S.NEW) == (S.ACKNOWLEDGED,)
    assert allowed_moves(S.SUPPORT_PLAN) == (S.MONITORING,)
    assert allowed_moves(S.MONITORING) == ()
    assert allowed_moves(S.CLOSED) == ()
    for current, targets in TRANSITIONS.items():
        assert all(ORDER.index(t) > ORDER.index(current) for t in targets)


def test_close_needs_acknowledgement_confirmation_and_an_outcome() -> None:
    yes = ClosingFacts(confirmed=True)
    with pytest.raises(TransitionError):
        close(S.NEW, Outcome.FAMILY_PRESERVED, yes)
    with pytest.raises(TransitionError):
        close(S.CLOSED, Outcome.INSTITUTION, yes)
    with pytest.raises(ConfirmationRequiredError):
        close(S.MONITORING, Outcome.INSTITUTION, ClosingFacts(confirmed=False))
    for stage in (S.ACKNOWLEDGED, S.ASSESSMENT, S.CONFERENCE_SCHEDULED, S.SUPPORT_PLAN, S.MONITORING):
        assert close(stage, Outcome.RETURNED_TO_FAMILY, yes) is S.CLOSED


def test_close_refused_with_open_work_unless_a_reason_is_recorded() -> None:
    conf = ClosingFacts(future_conferences=1, confirmed=True)
    plan = ClosingFacts(open_plan_items=2, confirmed=True)
    with pytest.raises(TransitionError, match="conference is scheduled"):
        close(S.SUPPORT_PLAN, Outcome.MOVED_AWAY, conf)
    with pytest.raises(TransitionError, match="plan items are still open"):
        close(S.SUPPORT_PLAN, Outcome.MOVED_AWAY, plan)
    with pytest.raises(TransitionError):
        close(
            S.SUPPORT_PLAN, Outcome.MOVED_AWAY, ClosingFacts(open_plan_items=1, confirmed=True, reason="  ")
        )
    why = ClosingFacts(future_conferences=1, open_plan_items=2, confirmed=True, reason="семья переехала")
    assert close(S.SUPPORT_PLAN, Outcome.MOVED_AWAY, why) is S.CLOSED


def test_only_closed_cases_reopen_into_assessment_and_closed_ones_are_read_only() -> None:
    assert reopen(S.CLOSED) is S.ASSESSMENT
    for stage in S:
        if stage is not S.CLOSED:
            with pytest.raises(TransitionError):
                reopen(stage)
            ensure_open(stage)
    with pytest.raises(TransitionError, match="read-only"):
        ensure_open(S.CLOSED)


def test_reopen_within_thirty_days_else_open_a_new_case() -> None:
    assert decide_case(True, NOW - timedelta(days=1), NOW) is CaseAction.JOIN
    assert decide_case(False, NOW - timedelta(days=10), NOW) is CaseAction.REOPEN
    assert decide_case(False, NOW - timedelta(days=30), NOW) is CaseAction.REOPEN
    assert decide_case(False, NOW - timedelta(days=30, seconds=1), NOW) is CaseAction.OPEN
    assert decide_case(False, None, NOW) is CaseAction.OPEN


def test_only_cases_closed_with_an_outcome_within_the_window_are_reopenable() -> None:
    recent = NOW - timedelta(days=3)
    assert reopenable(S.CLOSED, None, recent, NOW)
    assert not reopenable(S.CLOSED, "c2", recent, NOW)
    assert not reopenable(S.CLOSED, None, NOW - timedelta(days=31), NOW)
    assert not reopenable(S.MONITORING, None, recent, NOW)


def test_a_merged_case_is_not_reopened() -> None:
    with pytest.raises(TransitionError, match="undoing the merge"):
        reopen(S.CLOSED, merged=True)
