"""The relay against the real broker and both databases: publish, mark, share, survive a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consumers.relay.relay import Relay
from consumers.relay.settings import RelaySettings
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.metrics import Metrics
from signalhub.settings import KafkaSettings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.messaging import OutboxMessage, OutboxSent
from tests.integration.alerts.helpers import (
    T0,
    case_alert,
    ce_id,
    consume_all,
    decode_alerts,
    insert,
    outbox_row,
    receipt,
    wait_until,
)

pytestmark = pytest.mark.integration


def drain(relay: Relay) -> None:
    while relay.run_once():
        pass


def published_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(OutboxSent)) or 0)
    finally:
        engine.dispose()


def test_relay_publishes_rows_with_headers_and_marks_them(
    alerts_db_url: str, kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    engine = make_engine(alerts_db_url)
    sessions = make_sessionmaker(engine)
    case_id = str(uuid.uuid4())
    alerts = [case_alert(case_id, i) for i in range(6)]
    rows = [outbox_row("CaseAlert", kafka_settings.alert_topic, a, case_id) for a in alerts]
    rows.append(outbox_row("SignalReceipt", kafka_settings.receipt_topic("police"), receipt(), "KUSP-1"))
    insert(sessions, rows)
    metrics = Metrics()
    producer = make_producer(kafka_as("relay"))
    relay = Relay(
        sessions, producer, RelaySettings(), metrics, skip_locked=engine.dialect.name == "postgresql"
    )
    drain(relay)
    producer.close()

    records = consume_all(kafka_settings, kafka_settings.alert_topic, 6)
    assert [ce_id(r) for r in records] == [a["alert_id"] for a in alerts]  # one key: one partition, in order
    assert {r.key for r in records} == {case_id.encode()}
    decoded = decode_alerts(records)
    # Epoch milliseconds in the stored payload arrive as the same instants.
    assert [d["created_at"] for d in decoded] == [T0 + timedelta(seconds=i) for i in range(6)]
    assert [d["ack_deadline"] for d in decoded] == [T0 + timedelta(hours=1, seconds=i) for i in range(6)]
    receipts = consume_all(kafka_settings, kafka_settings.receipt_topic("police"), 1)
    assert Codec("SignalReceipt").decode(receipts[0].value)["status"] == "accepted"
    assert published_count(alerts_db_url) == 7
    with sessions() as session:  # published rows left the hot table
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert metrics.outbox_published.labels(contract="CaseAlert")._value.get() == 6
    relay.update_pending_gauge()
    assert metrics.outbox_pending._value.get() == 0
    engine.dispose()


def test_two_relays_on_postgresql_send_each_row_once_in_order_per_case(
    alerts_pg_url: str, kafka_settings: KafkaSettings
) -> None:
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    cases = [str(uuid.uuid4()) for _ in range(40)]
    alerts = [case_alert(cases[i % 40], i // 40) for i in range(2000)]
    insert(sessions, [outbox_row("CaseAlert", kafka_settings.alert_topic, a, a["case_id"]) for a in alerts])
    producers = [make_producer(kafka_settings) for _ in range(2)]
    relays = [
        Relay(sessions, p, RelaySettings(batch_size=100), Metrics(), skip_locked=True) for p in producers
    ]
    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for p in producers:
        p.close()

    records = consume_all(kafka_settings, kafka_settings.alert_topic, 2000)
    counts = Counter(ce_id(r) for r in records)
    assert len(counts) == 2000
    assert max(counts.values()) == 1
    order: dict[bytes, list[str | None]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        order[r.key].append(ce_id(r))
    expected: dict[bytes, list[str]] = defaultdict(list)
    for a in alerts:
        expected[a["case_id"].encode()].append(a["alert_id"])
    assert order == expected
    engine.dispose()


def test_relay_killed_mid_batch_loses_nothing(
    alerts_pg_url: str, kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    alerts = [case_alert(str(uuid.uuid4()), 0) for _ in range(6000)]
    insert(sessions, [outbox_row("CaseAlert", kafka_settings.alert_topic, a, a["case_id"]) for a in alerts])
    env = os.environ | {
        "SIGNALHUB_DB_URL": alerts_pg_url,
        **kafka_as("relay").environment(),
        "SIGNALHUB_RELAY_BATCH_SIZE": "200",
    }
    cli = Path(sys.executable).with_name("signalhub")
    proc = subprocess.Popen(
        [str(cli), "relay", "run"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_until(lambda: published_count(alerts_pg_url) >= 400, timeout_s=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    after_kill = published_count(alerts_pg_url)
    assert after_kill < 6000, "the relay finished before it was killed: nothing was tested"

    producer = make_producer(kafka_settings)
    drain(Relay(sessions, producer, RelaySettings(), Metrics(), skip_locked=True))
    producer.close()
    assert published_count(alerts_pg_url) == 6000
    records = consume_all(kafka_settings, kafka_settings.alert_topic, 6000, timeout_s=60)
    assert {ce_id(r) for r in records} == {a["alert_id"] for a in alerts}
    engine.dispose()
