from datetime import UTC, date, datetime, timedelta

from signalhub.domain.priority import AckDeadlines, CaseFacts, SignalFact, assess, youngest_age_months
from signalhub.domain.vocabulary import PriorityLevel, Severity, SignalType

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _fact(t: SignalType, sev: Severity, agency: str, days_ago: int = 0) -> SignalFact:
    return SignalFact(t, sev, agency, NOW - timedelta(days=days_ago))


def test_infant_with_suspicious_injury_is_urgent_and_explained() -> None:
    p = assess(
        CaseFacts((_fact(SignalType.SUSPICIOUS_INJURY, Severity.HIGH, "health"),), (date(2026, 6, 1),)), NOW
    )
    assert p.level is PriorityLevel.URGENT
    codes = [r.code for r in p.rules]
    assert codes == ["type:suspicious_injury", "severity:high", "child_under_1"]
    assert p.score == sum(r.points for r in p.rules)


def test_school_absence_of_a_teenager_stays_normal() -> None:
    p = assess(
        CaseFacts((_fact(SignalType.PROLONGED_ABSENCE, Severity.LOW, "education"),), (date(2012, 1, 1),)), NOW
    )
    assert p.level is PriorityLevel.NORMAL
    assert [r.code for r in p.rules] == ["type:prolonged_absence"]


def test_several_agencies_within_30_days_raise_priority_and_older_ones_do_not() -> None:
    base = (_fact(SignalType.PROLONGED_ABSENCE, Severity.MEDIUM, "education"),)
    recent = (
        *base,
        _fact(SignalType.DIFFICULT_LIFE_SITUATION, Severity.MEDIUM, "social", 10),
        _fact(SignalType.PARENT_INTOXICATED, Severity.MEDIUM, "police", 3),
    )
    old = (*base, _fact(SignalType.DIFFICULT_LIFE_SITUATION, Severity.MEDIUM, "social", 45))
    kids = (date(2020, 1, 1),)
    assert "agencies_30d:3" in [r.code for r in assess(CaseFacts(recent, kids), NOW).rules]
    assert not any(r.code.startswith("agencies_30d") for r in assess(CaseFacts(old, kids), NOW).rules)
    assert assess(CaseFacts(recent, kids), NOW).score > assess(CaseFacts(base, kids), NOW).score


def test_repeat_within_six_months_of_closure() -> None:
    facts = (_fact(SignalType.SIGNS_OF_NEGLECT, Severity.MEDIUM, "education"),)
    kids = (date(2019, 1, 1),)
    recent = assess(CaseFacts(facts, kids, last_closed_at=NOW - timedelta(days=60)), NOW)
    long_ago = assess(CaseFacts(facts, kids, last_closed_at=NOW - timedelta(days=400)), NOW)
    assert "repeat_within_6_months" in [r.code for r in recent.rules]
    assert "repeat_within_6_months" not in [r.code for r in long_ago.rules]


def test_deadlines_follow_level() -> None:
    p = assess(CaseFacts((_fact(SignalType.CHILD_WITHOUT_CARE, Severity.CRITICAL, "guardianship"),), ()), NOW)
    assert p.level is PriorityLevel.URGENT
    assert p.ack_deadline(NOW, AckDeadlines()) == NOW + timedelta(hours=1)
    assert AckDeadlines().of(PriorityLevel.NORMAL) == timedelta(hours=72)


def test_youngest_age_in_months() -> None:
    assert youngest_age_months((date(2024, 11, 24), date(2022, 1, 1), None), NOW.date()) == 23
    assert youngest_age_months((None,), NOW.date()) is None
