import pytest

from signalhub.domain.cases import CaseStatus, Outcome, TransitionError, advance, close, reopen


def test_new_case_must_be_acknowledged_first() -> None:
    with pytest.raises(TransitionError):
        advance(CaseStatus.NEW, CaseStatus.ASSESSMENT)
    assert advance(CaseStatus.NEW, CaseStatus.ACKNOWLEDGED) is CaseStatus.ACKNOWLEDGED


def test_forward_skips_allowed_backward_moves_refused() -> None:
    assert (
        advance(CaseStatus.ACKNOWLEDGED, CaseStatus.CONFERENCE_SCHEDULED) is CaseStatus.CONFERENCE_SCHEDULED
    )
    with pytest.raises(TransitionError):
        advance(CaseStatus.SUPPORT_PLAN, CaseStatus.ASSESSMENT)
    with pytest.raises(TransitionError):
        advance(CaseStatus.MONITORING, CaseStatus.MONITORING)


def test_close_needs_acknowledgement_and_an_outcome() -> None:
    with pytest.raises(TransitionError):
        close(CaseStatus.NEW, Outcome.FAMILY_PRESERVED)
    with pytest.raises(TransitionError):
        advance(CaseStatus.MONITORING, CaseStatus.CLOSED)
    assert close(CaseStatus.MONITORING, Outcome.RETURNED_TO_FAMILY) == (
        CaseStatus.CLOSED,
        Outcome.RETURNED_TO_FAMILY,
    )
    with pytest.raises(TransitionError):
        close(CaseStatus.CLOSED, Outcome.INSTITUTION)


def test_only_closed_cases_reopen_into_assessment() -> None:
    assert reopen(CaseStatus.CLOSED) is CaseStatus.ASSESSMENT
    with pytest.raises(TransitionError):
        reopen(CaseStatus.MONITORING)
    with pytest.raises(TransitionError):
        advance(CaseStatus.CLOSED, CaseStatus.MONITORING)
