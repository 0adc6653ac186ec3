"""The scheduler on both databases with an injected clock: deadlines, reminders, retention, expired
login sessions."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.scheduler.scheduler import Scheduler
from services.scheduler.settings import SchedulerSettings
from signalhub.domain.priority import AckDeadlines
from signalhub.domain.vocabulary import PriorityLevel
from signalhub.metrics import Metrics
from signalhub.settings import Settings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.cases import Case, Conference, PlanItem
from signalhub.store.messaging import OutboxMessage
from signalhub.store.registry import Family, Person, PersonKey, Signal, SignalPerson
from signalhub.store.workplace import User, UserSession

TOPIC = "alerts.children-in-family"
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def add_case(session: Session, *, priority: str = "urgent", status: str = "new", **extra: Any) -> Case:
    family = Family(created_at=OPENED)
    session.add(family)
    session.flush()
    number = session.scalar(select(func.count()).select_from(Case)) or 0
    case = Case(
        number=f"31-2026-{number + 1:06d}",
        family_id=family.id,
        region_code="31",
        municipality_code="14701000",
        status=status,
        priority_level=priority,
        priority_score=80,
        priority_rules=[{"code": "child_under_1", "points": 25}],
        agencies=["police"],
        opened_at=OPENED,
        updated_at=OPENED,
        **({"ack_deadline": OPENED + AckDeadlines().of(PriorityLevel(priority))} | extra),
    )
    session.add(case)
    session.flush()
    return case


def add_signal(
    session: Session, case: Case | None, family_id: str, received: datetime, person: Person
) -> Signal:
    signal = Signal(
        event_id=f"ev-{person.id}-{received.timestamp()}",
        agency="police",
        source_system="police-kusp",
        source_record_id=f"KUSP-{person.id[:8]}-{received.timestamp()}",
        signal_type="domestic_violence",
        severity="high",
        occurred_at=received,
        reported_at=received,
        received_at=received,
        region_code="31",
        municipality_code="14701000",
        family_id=family_id,
        case_id=case.id if case else None,
        payload={"children": [{"surname": "Иванова"}]},
    )
    session.add(signal)
    session.flush()
    session.add(
        SignalPerson(
            signal_id=signal.id,
            person_id=person.id,
            role="child",
            band="match",
            score=1.0,
            evidence=[{"surname": "Иванова"}],
        )
    )
    return signal


def add_person(session: Session, family_id: str) -> Person:
    person = Person(
        family_id=family_id,
        surname="Иванова",
        first_name="Мария",
        patronymic="Петровна",
        birth_date=date(2025, 6, 1),
        sex="F",
        snils="11223344595",
        address="г. Белгород, ул. Ленина, д. 1",
        created_at=OPENED,
    )
    session.add(person)
    session.flush()
    session.add(PersonKey(key="ivanova|2025", person_id=person.id))
    return person


def outbox(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def scheduler(sessions: sessionmaker[Session], **settings: Any) -> Scheduler:
    return Scheduler(sessions, SchedulerSettings(**settings), TOPIC, Metrics(), zone=Settings().region().zone)


def test_ack_overdue_fires_once_per_deadline_and_escalates(alerts_db_url: str) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        urgent = add_case(session, priority="urgent")
        high = add_case(session, priority="high")
        add_case(session, priority="urgent", status="acknowledged", acknowledged_at=OPENED)
    s = scheduler(sessions)
    assert s.tick(OPENED + timedelta(minutes=59)).ack_overdue == 0
    assert s.tick(OPENED + timedelta(minutes=61)).ack_overdue == 1
    assert s.tick(OPENED + timedelta(minutes=90)).ack_overdue == 0
    [row] = outbox(sessions)
    assert (row.contract, row.topic, row.key) == ("CaseAlert", TOPIC, urgent.id)
    assert row.payload["alert_type"] == "ack_overdue"
    assert row.payload["detail"].startswith("эскалация координатору")
    assert row.message_id == row.payload["alert_id"]
    # A new signal raised the priority: intake moved the deadline earlier; that deadline alerts once.
    with sessions() as session, session.begin():
        session.get_one(Case, high.id).ack_deadline = OPENED + timedelta(hours=2)
    assert s.tick(OPENED + timedelta(hours=1, minutes=59)).ack_overdue == 0
    assert s.tick(OPENED + timedelta(hours=3)).ack_overdue == 1
    assert s.tick(OPENED + timedelta(hours=4)).ack_overdue == 0
    assert [r.key for r in outbox(sessions)] == [urgent.id, high.id]
    engine.dispose()


def test_review_reminders_the_day_before_and_on_the_day_once(alerts_db_url: str) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    review = date(2026, 4, 10)
    with sessions() as session, session.begin():
        case = add_case(session, status="support_plan", acknowledged_at=OPENED, review_date=review)
        session.add(
            Conference(
                case_id=case.id,
                scheduled_at=OPENED,
                agencies=["police"],
                follow_up_date=review,
                created_by="u",
                created_at=OPENED,
            )
        )
        session.add(
            PlanItem(
                case_id=case.id,
                action="visit",
                responsible_agency="social",
                due_date=review,
                created_at=OPENED,
                updated_at=OPENED,
            )
        )
        session.add(
            PlanItem(
                case_id=case.id,
                action="x",
                responsible_agency="social",
                due_date=review,
                status="done",
                created_at=OPENED,
                updated_at=OPENED,
            )
        )
    s = scheduler(sessions)
    # The region's day (54: Novosibirsk, UTC+7): 17:30 UTC on the 8th is already the 9th there,
    # the day before; in Moscow it would still be the 8th.
    assert s.tick(datetime(2026, 4, 8, 16, 0, tzinfo=UTC)).review_due == 0
    assert s.tick(datetime(2026, 4, 8, 17, 30, tzinfo=UTC)).review_due == 3
    assert s.tick(datetime(2026, 4, 9, 12, 0, tzinfo=UTC)).review_due == 0
    assert s.tick(datetime(2026, 4, 10, 6, 0, tzinfo=UTC)).review_due == 3
    assert s.tick(datetime(2026, 4, 10, 18, 0, tzinfo=UTC)).review_due == 0
    assert s.tick(datetime(2026, 4, 11, 6, 0, tzinfo=UTC)).review_due == 0
    rows = outbox(sessions)
    assert len(rows) == len({r.message_id for r in rows}) == 6
    assert {r.payload["alert_type"] for r in rows} == {"review_due"}
    engine.dispose()


@pytest.mark.integration
def test_two_scheduler_processes_raise_each_alert_once(alerts_pg_url: str) -> None:
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        for _ in range(30):
            add_case(session, priority="urgent", review_date=date(2026, 3, 3))
    env = os.environ | {"SIGNALHUB_DB_URL": alerts_pg_url, "SIGNALHUB_KAFKA_TOPIC_PREFIX": ""}
    cli = Path(sys.executable).with_name("signalhub")
    now = "2026-03-02T12:00:00Z"
    procs = [
        subprocess.Popen(
            [str(cli), "scheduler", "tick", "--now", now],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    rows = outbox(sessions)
    assert sorted(r.payload["alert_type"] for r in rows).count("ack_overdue") == 30
    assert sorted(r.payload["alert_type"] for r in rows).count("review_due") == 30
    engine.dispose()


def seed_retention(sessions: sessionmaker[Session]) -> dict[str, str]:
    """An old closed case (persons, signals), an old loose signal, and a fresh open case."""
    old = OPENED - timedelta(days=6 * 365)
    with sessions() as session, session.begin():
        closed = add_case(session, status="closed", closed_at=old, outcome="family_preserved")
        person = add_person(session, closed.family_id)
        add_signal(session, closed, closed.family_id, old, person)
        loose_family = Family(created_at=old)
        session.add(loose_family)
        session.flush()
        loose_person = add_person(session, loose_family.id)
        loose = add_signal(session, None, loose_family.id, old, loose_person)
        fresh = add_case(session, status="assessment", acknowledged_at=OPENED)
        fresh_person = add_person(session, fresh.family_id)
        add_signal(session, fresh, fresh.family_id, old, fresh_person)
        return {"closed": closed.id, "person": person.id, "loose": loose.id, "fresh_person": fresh_person.id}


def test_retention_anonymises_old_data_once_and_spares_open_cases(alerts_db_url: str) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    ids = seed_retention(sessions)
    s = scheduler(sessions)
    report = s.tick(OPENED)
    assert report.retention == {
        ("signal", "anonymised"): 2,
        ("person", "anonymised"): 1,
        ("case", "anonymised"): 1,
    }
    assert s.tick(OPENED).retention == {}
    with sessions() as session:
        person = session.get(Person, ids["person"])
        assert person is not None
        assert person.anonymised_at is not None
        assert (person.surname, person.first_name, person.birth_date, person.snils, person.address) == (
            None,
        ) * 5
        assert (
            session.scalar(
                select(func.count()).select_from(PersonKey).where(PersonKey.person_id == ids["person"])
            )
            == 0
        )
        loose = session.get(Signal, ids["loose"])
        assert loose is not None
        assert loose.payload is None
        assert loose.anonymised_at is not None
        fresh_person = session.get(Person, ids["fresh_person"])
        assert fresh_person is not None
        assert fresh_person.surname == "Иванова"
        kept = session.scalars(select(Signal).where(Signal.anonymised_at.is_(None))).all()
        assert len(kept) == 1
        assert kept[0].payload is not None
    engine.dispose()


def test_retention_can_delete_instead(alerts_db_url: str) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    ids = seed_retention(sessions)
    report = scheduler(sessions, retention_action="delete").tick(OPENED)
    assert report.retention == {("signal", "deleted"): 2, ("person", "deleted"): 1, ("case", "deleted"): 1}
    with sessions() as session:
        assert session.get(Case, ids["closed"]) is None
        assert session.get(Person, ids["person"]) is None
        assert session.get(Signal, ids["loose"]) is None
        assert session.scalar(select(func.count()).select_from(Signal)) == 1
    engine.dispose()


def test_sessions_expired_over_a_day_ago_are_removed_even_without_retention(alerts_db_url: str) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        user = User(username="cur", password_hash="x", role="curator", display_name="Т.", created_at=OPENED)
        session.add(user)
        session.flush()
        for name, expired_for in (("old", timedelta(days=1, seconds=1)), ("recent", timedelta(hours=23))):
            expires = OPENED - expired_for
            session.add(UserSession(id=name, user_id=user.id, created_at=expires, expires_at=expires))
        session.add(
            UserSession(id="live", user_id=user.id, created_at=OPENED, expires_at=OPENED + timedelta(hours=8))
        )
    metrics = Metrics()
    s = Scheduler(
        sessions, SchedulerSettings(retention_enabled=False), TOPIC, metrics, zone=Settings().region().zone
    )
    assert s.tick(OPENED).expired_sessions == 1
    assert s.tick(OPENED).expired_sessions == 0
    with sessions() as session:
        assert set(session.scalars(select(UserSession.id))) == {"recent", "live"}
    assert metrics.retention_removed.labels(kind="session", action="deleted")._value.get() == 1
    engine.dispose()
