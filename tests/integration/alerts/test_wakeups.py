"""Wake on work (PostgreSQL NOTIFY) and done rows leaving the hot tables, on the real databases."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from consumers.notifier import deliveries
from consumers.relay import outbox_queries
from consumers.relay.relay import Relay
from consumers.relay.settings import RelaySettings
from signalhub.domain.outbound import OutboxEntry
from signalhub.kafka import make_producer
from signalhub.metrics import Metrics
from signalhub.settings import KafkaSettings
from signalhub.store.alerts_repo import enqueue
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.messaging import Delivery, DeliveryDone, OutboxMessage, OutboxSent
from signalhub.store.outbox import enqueue_rows
from signalhub.store.wake import OUTBOX, Listener
from tests.fixtures.alerts import SmtpServer, WebhookReceiver
from tests.integration.alerts.helpers import case_alert, consume_all, outbox_row, wait_until
from tests.integration.alerts.test_notifier import hub, notifier_settings, running

pytestmark = pytest.mark.integration

LONG_POLL = 30.0  # far longer than any wait below: only a NOTIFY can wake the process in time


@pytest.fixture
def sessions(alerts_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(alerts_db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _row_dict(alert: dict[str, object], topic: str) -> dict[str, object]:
    row = outbox_row("CaseAlert", topic, alert, str(alert["case_id"]))
    return {
        c: getattr(row, c)
        for c in ("message_id", "contract", "topic", "key", "ce_type", "payload", "created_at")
    }


def _count(sessions: sessionmaker[Session], model: type[object]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_relay_polling_every_30_s_publishes_at_once_when_a_writer_commits(
    alerts_pg_url: str, kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    producer = make_producer(kafka_as("relay"))
    settings = RelaySettings(poll_interval_s=LONG_POLL, listen_poll_interval_s=LONG_POLL)
    relay = Relay(sessions, producer, settings, Metrics(), skip_locked=True)
    stop = threading.Event()
    listener = Listener(alerts_pg_url, OUTBOX, stop)
    thread = threading.Thread(target=relay.run, args=(stop, listener), daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: listener.listening, timeout_s=10)
        time.sleep(0.3)  # the relay has found the outbox empty and waits
        alert = case_alert(str(uuid.uuid4()), 0)
        committed = time.monotonic()
        with engine.begin() as conn:
            enqueue_rows(conn, [_row_dict(alert, kafka_settings.alert_topic)])
        assert wait_until(lambda: _count(sessions, OutboxSent) == 1, timeout_s=5)
        assert time.monotonic() - committed < 5
    finally:
        stop.set()
        thread.join(10)
        listener.close()
        producer.close()
        engine.dispose()
    assert not thread.is_alive()
    assert len(consume_all(kafka_settings, kafka_settings.alert_topic, 1)) == 1


def test_a_notifier_polling_every_30_s_delivers_at_once_what_another_process_recorded(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    notifier = notifier_settings(
        tmp_path, webhook_receiver, smtp_server, poll_interval_s=LONG_POLL, listen_poll_interval_s=LONG_POLL
    )
    alert = case_alert(str(uuid.uuid4()), 0, priority="normal")
    with running(hub(kafka_settings, alerts_pg_url), notifier, Metrics()):
        time.sleep(2)  # the workers found nothing due and wait; the listener listens
        with sessions() as session, session.begin():  # as another notifier process (or `retry`) would
            deliveries.record(session, [(alert, ["hook"])], datetime.now(UTC))
        assert wait_until(lambda: len(webhook_receiver.bodies()) == 1, timeout_s=5)
    engine.dispose()


def test_published_messages_leave_the_outbox_and_are_not_written_again(
    sessions: sessionmaker[Session],
) -> None:
    alerts = [case_alert(str(uuid.uuid4()), 0) for _ in range(3)]
    rows = [_row_dict(a, "alerts") for a in alerts]
    with sessions() as session, session.begin():
        enqueue_rows(session.connection(), rows)
    with sessions() as session, session.begin():
        claimed = outbox_queries.claim(session, 10, skip_locked=False)
        outbox_queries.mark_published(session, [r.id for r in claimed[:2]], datetime.now(UTC))
    assert _count(sessions, OutboxMessage) == 1
    with sessions() as session:
        sent = session.scalars(select(OutboxSent.message_id).order_by(OutboxSent.id)).all()
        assert sent == [a["alert_id"] for a in alerts[:2]]
        assert outbox_queries.pending_count(session) == 1
    with sessions() as session, session.begin():  # the same rules fire again, in intake and elsewhere
        enqueue_rows(session.connection(), rows)
        assert not enqueue(session, OutboxEntry(**_entry_fields(rows[0])), datetime.now(UTC))
        assert not enqueue(session, OutboxEntry(**_entry_fields(rows[2])), datetime.now(UTC))
    assert _count(sessions, OutboxMessage) == 1
    assert _count(sessions, OutboxSent) == 2


def _entry_fields(row: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in row.items() if k != "created_at"}


def test_delivered_alerts_leave_the_delivery_log_and_a_redelivered_alert_adds_nothing(
    sessions: sessionmaker[Session],
) -> None:
    alert = case_alert(str(uuid.uuid4()), 0)
    now = datetime.now(UTC)
    with sessions() as session, session.begin():
        deliveries.record(session, [(alert, ["hook", "mail"])], now)
    with sessions() as session, session.begin():
        due = deliveries.claim(session, "hook", now, 10, lease=now - now)
        deliveries.delivered(session, [r.id for r in due], now)
    with sessions() as session:
        assert session.execute(select(Delivery.channel, Delivery.status)).all() == [("mail", "pending")]
        done = session.execute(
            select(DeliveryDone.alert_id, DeliveryDone.channel, DeliveryDone.attempts)
        ).all()
        assert done == [(alert["alert_id"], "hook", 1)]
    with sessions() as session, session.begin():  # consumed again after a rebalance
        deliveries.record(session, [(alert, ["hook", "mail"])], now)
    assert _count(sessions, Delivery) == 1
    assert _count(sessions, DeliveryDone) == 1
