"""The notifier against the real broker, PostgreSQL, an HTTP receiver and an SMTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from consumers.notifier import app as notifier_app
from consumers.notifier import deliveries
from consumers.notifier.app import utcnow
from consumers.notifier.channels import Senders
from consumers.notifier.mail_client import MailClient
from consumers.notifier.routing import load_routing
from consumers.notifier.settings import NotifierSettings
from consumers.notifier.webhook_client import WebhookClient
from consumers.notifier.worker import ChannelWorker, Clock
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.metrics import Metrics
from signalhub.settings import DatabaseSettings, KafkaSettings, Settings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.messaging import Delivery, DeliveryDone
from signalhub_cli import app as cli
from tests.fixtures.alerts import SmtpServer, WebhookReceiver
from tests.integration.alerts.helpers import case_alert, wait_until

pytestmark = pytest.mark.integration

SECRET = "test-shared-secret"


def routing_file(tmp_path: Path, receiver: WebhookReceiver) -> Path:
    path = tmp_path / "routing.toml"
    path.write_text(
        f"""
default_channels = ["hook"]
[channels.hook]
type = "webhook"
url = "{receiver.url}"
[channels.mail]
type = "email"
to = ["duty@example.org"]
[[routes]]
channels = ["hook"]
[[routes]]
priorities = ["urgent"]
municipalities = ["14701000"]
channels = ["mail"]
""",
        encoding="utf-8",
    )
    return path


def notifier_settings(
    tmp_path: Path, receiver: WebhookReceiver, smtp: SmtpServer, **extra: Any
) -> NotifierSettings:
    values: dict[str, Any] = {
        "routing_path": routing_file(tmp_path, receiver),
        "case_url_base": "https://hub.example.org/cases/",
        "webhook_secret": SECRET,
        "group_id": f"notifier-{uuid.uuid4().hex[:8]}",
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "backoff_base_s": 0.05,
        "backoff_max_s": 0.2,
        "http_timeout_s": 2.0,
    }
    return NotifierSettings(**(values | extra))


@contextmanager
def running(settings: Settings, notifier: NotifierSettings, metrics: Metrics) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=notifier_app.run, args=(settings, notifier, stop, metrics), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)


def publish(kafka: KafkaSettings, alerts: list[dict[str, Any]]) -> None:
    codec = Codec("CaseAlert")
    producer = make_producer(kafka)
    for alert in alerts:
        producer.send(kafka.alert_topic, key=alert["case_id"].encode(), value=codec.encode(alert))
    producer.flush()
    producer.close()


def statuses(url: str) -> list[tuple[str, str, int]]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(select(Delivery.channel, Delivery.status, Delivery.attempts)).all()
            done = session.execute(select(DeliveryDone.channel, DeliveryDone.attempts)).all()
            return [(c, s, a) for c, s, a in rows] + [(c, "delivered", a) for c, a in done]
    finally:
        engine.dispose()


def hub(kafka: KafkaSettings, url: str) -> Settings:
    return Settings(kafka=kafka, db=DatabaseSettings(url=url))


def test_webhook_and_email_delivered_signed_and_without_personal_data(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    urgent = case_alert(str(uuid.uuid4()), 0)
    normal = case_alert(str(uuid.uuid4()), 0, priority="normal")
    publish(kafka_settings, [urgent, normal])
    metrics = Metrics()
    with running(
        hub(kafka_settings, alerts_pg_url),
        notifier_settings(tmp_path, webhook_receiver, smtp_server),
        metrics,
    ):
        assert wait_until(
            lambda: len(webhook_receiver.bodies()) == 2 and len(smtp_server.sink.received()) == 1
        )

    posts = {r.headers["Idempotency-Key"]: r for r in webhook_receiver.bodies()}
    assert set(posts) == {urgent["alert_id"], normal["alert_id"]}
    post = posts[urgent["alert_id"]]
    expected = "sha256=" + hmac.new(SECRET.encode(), post.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(post.headers["X-Signalhub-Signature"], expected)
    body = json.loads(post.body)
    assert body["case_number"] == urgent["case_number"]
    assert body["case_url"] == f"https://hub.example.org/cases/{urgent['case_id']}"

    mail = smtp_server.sink.received()[0]
    assert urgent["case_number"] in mail["Subject"]
    assert "срочный" in mail["Subject"]
    text = mail.get_content()
    assert "Срок принятия в работу: 02.03.2026 17:00 (Asia/Novosibirsk)" in text
    assert f"https://hub.example.org/cases/{urgent['case_id']}" in text
    assert "Персональные данные в письме не приводятся" in text
    assert sorted(statuses(alerts_pg_url)) == [
        ("hook", "delivered", 1),
        ("hook", "delivered", 1),
        ("mail", "delivered", 1),
    ]
    assert metrics.deliveries.labels(channel="hook", outcome="delivered")._value.get() == 2


def test_receiver_down_then_up_gets_everything_in_order_per_case(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    cases = [str(uuid.uuid4()) for _ in range(3)]
    alerts = [case_alert(cases[i % 3], i // 3, priority="high") for i in range(12)]
    webhook_receiver.down = True
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, max_attempts=1000)
    with running(hub(kafka_settings, alerts_pg_url), notifier, Metrics()):
        publish(kafka_settings, alerts)
        assert wait_until(lambda: sum(a for _c, _s, a in statuses(alerts_pg_url)) >= 10)
        webhook_receiver.down = False
        assert wait_until(
            lambda: len({r.headers["Idempotency-Key"] for r in webhook_receiver.bodies()}) == 12
        )

    seen: dict[str, list[str]] = {c: [] for c in cases}
    for r in webhook_receiver.bodies():
        alert = json.loads(r.body)
        if alert["alert_id"] not in seen[alert["case_id"]]:  # receivers deduplicate on alert_id
            seen[alert["case_id"]].append(alert["alert_id"])
    assert seen == {c: [a["alert_id"] for a in alerts if a["case_id"] == c] for c in cases}


def test_a_batch_of_different_cases_is_sent_side_by_side(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    """A slow receiver (0.3 s an answer) gets a claimed batch's alerts at the same time, not one
    round trip after another (which made the last alert of a batch of 100 wait for 99)."""
    alerts = [case_alert(str(uuid.uuid4()), 0, priority="high") for _ in range(8)]
    publish(kafka_settings, alerts)
    webhook_receiver.delay_s = 0.3
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, send_concurrency=8)
    with running(hub(kafka_settings, alerts_pg_url), notifier, Metrics()):
        assert wait_until(lambda: len(webhook_receiver.bodies()) == 8)
    assert webhook_receiver.most_at_once >= 4
    assert sorted(statuses(alerts_pg_url)) == [("hook", "delivered", 1)] * 8


def test_a_cases_alerts_recorded_together_are_sent_one_after_another_at_once(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    """Alerts of one case recorded in one pass are claimed one at a time (the case's order): each
    is claimed as soon as the one before it is sent, not at the next wake-up or timed poll (a
    case's second alert waited up to `listen_poll_interval_s`: the 1 s tail of alert_latency)."""
    case = str(uuid.uuid4())
    alerts = [case_alert(case, seq, priority="high") for seq in range(4)]
    publish(kafka_settings, alerts)
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, listen_poll_interval_s=60.0)
    with running(hub(kafka_settings, alerts_pg_url), notifier, Metrics()):  # not three waits of 60 s
        assert wait_until(lambda: len(webhook_receiver.bodies()) == 4, timeout_s=20)
    assert [json.loads(r.body)["alert_id"] for r in webhook_receiver.bodies()] == [
        a["alert_id"] for a in alerts
    ]


def test_exhausted_alert_is_parked_listed_and_retried(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alert = case_alert(str(uuid.uuid4()), 0, priority="normal")
    webhook_receiver.down = True
    metrics = Metrics()
    notifier = notifier_settings(
        tmp_path, webhook_receiver, smtp_server, max_attempts=3, gauge_interval_s=0.1
    )
    monkeypatch.setenv("SIGNALHUB_DB_URL", alerts_pg_url)
    with running(hub(kafka_settings, alerts_pg_url), notifier, metrics):
        publish(kafka_settings, [alert])
        assert wait_until(lambda: statuses(alerts_pg_url) == [("hook", "parked", 3)])
        assert wait_until(lambda: metrics.parked_alerts.labels(channel="hook")._value.get() == 1)
        listing = CliRunner().invoke(cli, ["notifier", "parked"])
        assert listing.exit_code == 0
        assert alert["alert_id"][:8] in listing.output
        assert "503" in listing.output

        webhook_receiver.down = False
        retried = CliRunner().invoke(cli, ["notifier", "retry", "--channel", "hook"])
        assert retried.exit_code == 0
        assert "1 requeued" in retried.output
        assert wait_until(lambda: statuses(alerts_pg_url) == [("hook", "delivered", 1)])
        assert wait_until(lambda: metrics.parked_alerts.labels(channel="hook")._value.get() == 0)
    assert [r.headers["Idempotency-Key"] for r in webhook_receiver.bodies()] == [alert["alert_id"]]


def test_deliveries_of_a_channel_removed_from_routing_are_parked_not_left_pending(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    alert = case_alert(str(uuid.uuid4()), 0, priority="normal")
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():  # recorded while "pager" was in the routing file
        deliveries.record(session, [(alert, ["pager", "hook"])], datetime.now(UTC))
    metrics = Metrics()
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, gauge_interval_s=0.1)
    with running(hub(kafka_settings, alerts_pg_url), notifier, metrics):
        assert wait_until(
            lambda: sorted(statuses(alerts_pg_url)) == [("hook", "delivered", 1), ("pager", "parked", 0)]
        )
        assert wait_until(lambda: metrics.parked_alerts.labels(channel="pager")._value.get() == 1)
    with sessions() as session:
        pager = session.scalars(select(Delivery).where(Delivery.channel == "pager")).one()
        assert pager.last_error == deliveries.UNROUTED
    engine.dispose()


def channel_worker(
    notifier: NotifierSettings, sessions: sessionmaker[Session], clock: Clock
) -> ChannelWorker:
    senders = Senders(
        notifier,
        WebhookClient(timeout_s=notifier.http_timeout_s),
        MailClient(notifier),
        ZoneInfo("Europe/Moscow"),
    )
    return ChannelWorker(
        "hook", load_routing(notifier.routing_path), sessions, senders, notifier, Metrics(), clock
    )


def test_a_batch_sent_for_longer_than_its_lease_stays_with_its_worker(
    tmp_path: Path, alerts_pg_url: str, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> None:
    """The lease is renewed while a slow receiver takes the batch: a second worker (another
    notifier process) never takes the rows in hand and sends them again."""
    alerts = [case_alert(str(uuid.uuid4()), 0, priority="high") for _ in range(5)]
    webhook_receiver.delay_s = 0.8  # the batch takes 4 s (one alert after another), the lease is 1.5 s
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, lease_s=1.5, send_concurrency=1)
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        deliveries.record(session, [(a, ["hook"]) for a in alerts], utcnow())
    first, second = channel_worker(notifier, sessions, utcnow), channel_worker(notifier, sessions, utcnow)
    attempted: list[int] = []
    thread = threading.Thread(target=lambda: attempted.append(first.run_once()))
    thread.start()
    assert wait_until(lambda: len(webhook_receiver.bodies()) >= 1)  # the first worker holds the batch
    taken = 0
    while thread.is_alive():
        taken += second.run_once()
        time.sleep(0.05)
    thread.join()
    engine.dispose()
    assert (attempted, taken) == ([5], 0)
    assert sorted(r.headers["Idempotency-Key"] for r in webhook_receiver.bodies()) == sorted(
        a["alert_id"] for a in alerts
    )
    assert statuses(alerts_pg_url) == [("hook", "delivered", 1)] * 5


def test_a_killed_workers_claim_is_sent_again_within_ten_seconds(
    tmp_path: Path, alerts_pg_url: str, webhook_receiver: WebhookReceiver, smtp_server: SmtpServer
) -> None:
    """A notifier SIGKILLed after claiming leaves its rows leased; with the default lease another
    worker sends them ten seconds later, not a minute (the fault harness's scenario 3)."""
    alert = case_alert(str(uuid.uuid4()), 0, priority="high")
    notifier = notifier_settings(tmp_path, webhook_receiver, smtp_server, lease_s=NotifierSettings().lease_s)
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    with sessions() as session, session.begin():
        deliveries.record(session, [(alert, ["hook"])], now)
        killed = deliveries.claim(session, "hook", now, 10, timedelta(seconds=notifier.lease_s))
    assert [row.alert_id for row in killed] == [alert["alert_id"]]
    assert channel_worker(notifier, sessions, lambda: now + timedelta(seconds=9)).run_once() == 0
    assert channel_worker(notifier, sessions, lambda: now + timedelta(seconds=10)).run_once() == 1
    engine.dispose()
    assert [r.headers["Idempotency-Key"] for r in webhook_receiver.bodies()] == [alert["alert_id"]]
