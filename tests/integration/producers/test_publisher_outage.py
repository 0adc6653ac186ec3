"""A broker that stops answering after the publisher connected (found by the fault harness, scenario
8): `publish_many` raised kafka-python's own `KafkaTimeoutError` from its flush instead of the
`PublishError` its contract promises, so the simulator, the gateway (a 500 instead of 503 with
Retry-After) and the file import (no progress saved) fell over instead of retrying."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from producers.publisher import Delivery, Publisher, PublishError
from signalhub import broker, kafka_access
from signalhub.kafka import create_topics
from signalhub.settings import BrokerSettings
from tests.fixtures.intake import HUB_RULES, make_family, make_signal
from tests.fixtures.kafka import broker_settings, free_ports, kafka_settings_for

pytestmark = pytest.mark.integration


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[BrokerSettings]:
    settings = broker_settings(tmp_path / "kafka", free_ports())
    broker.up(settings)
    yield settings
    broker.down(settings)


def test_unreachable_broker_mid_stream_raises_publish_error_then_resumes(own_broker: BrokerSettings) -> None:
    admin = kafka_settings_for(own_broker)
    create_topics(admin)
    police = admin.as_principal("police", kafka_access.create_principal(admin, "police"))
    signals = [make_signal(make_family(n), "police") for n in range(3)]
    pid = broker.status(own_broker).pid or 0
    with Publisher(police, rules=HUB_RULES, timeout_s=3.0) as publisher:
        publisher.publish(make_signal(make_family(9), "police"))  # connected
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(PublishError) as caught:
                publisher.publish_many(signals)
            assert caught.value.retriable
            assert set(caught.value.event_ids) == {s["event_id"] for s in signals}
            assert time.monotonic() - started < 20  # one flush timeout, not one per signal
        finally:
            os.kill(pid, signal.SIGCONT)
        delivered = publisher.publish_many(signals)  # the same signals again, acknowledged
    assert [d.event_id for d in delivered] == [s["event_id"] for s in signals]


def test_publisher_recovers_after_the_broker_is_killed_and_restarted(own_broker: BrokerSettings) -> None:
    """Found by the fault harness (scenario 1): after a broker SIGKILL and restart the idempotent
    producer never recovered (every later publish timed out) until the process was restarted."""
    admin = kafka_settings_for(own_broker)
    create_topics(admin)
    police = admin.as_principal("police", kafka_access.create_principal(admin, "police"))
    with Publisher(police, rules=HUB_RULES, timeout_s=3.0) as publisher:
        publisher.publish_many([make_signal(make_family(n), "police") for n in range(5)])
        os.kill(broker.status(own_broker).pid or 0, signal.SIGKILL)
        signals = [make_signal(make_family(n), "police") for n in range(5, 10)]
        with pytest.raises(PublishError):
            publisher.publish_many(signals)
        time.sleep(32)  # down longer than the producer's delivery timeout (31 s): batches expire
        broker.up(own_broker)
        deadline, delivered = time.monotonic() + 60, list[Delivery]()
        while not delivered and time.monotonic() < deadline:
            try:
                delivered = publisher.publish_many(signals)
            except PublishError:
                time.sleep(1.0)
    assert [d.event_id for d in delivered] == [s["event_id"] for s in signals]
