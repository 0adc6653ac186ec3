"""Production's shape: a three-node KRaft cluster (`signalhub broker up --nodes 3`), topics with a
replica on every node and min.insync.replicas 2, and one node SIGKILLed while signals flow: the
publisher's `acks=all` idempotent producer and intake go on after leader election, nothing lost."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing

import pytest
from kafka.admin import ConfigResource, ConfigResourceType
from sqlalchemy import text

from producers.publisher import Publisher, PublishError
from signalhub import broker, kafka_access
from signalhub.broker_process import port_taken
from signalhub.kafka import create_topics, make_admin
from signalhub.settings import BrokerSettings
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import HUB_RULES, IntakeThread, make_family, make_signal, wait_for
from tests.fixtures.kafka import TEST_ROOT

pytestmark = pytest.mark.integration


def free_block(first: int, size: int) -> int:
    """The first port from `first` on (stepping by `size`) with `size` consecutive free ports."""
    for start in range(first, first + 100 * size, size):
        if all(not port_taken(port) for port in range(start, start + size)):
            return start
    raise RuntimeError("no free block of ports")


@pytest.fixture
def cluster() -> Iterator[BrokerSettings]:
    port = free_block(29592, 6)
    settings = BrokerSettings(
        port=port, controller_port=port + 1, nodes=3, data_dir=TEST_ROOT / f"cluster-{os.getpid()}"
    )
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    broker.up(settings)
    try:
        yield settings
    finally:
        broker.down(settings)
        shutil.rmtree(settings.data_dir, ignore_errors=True)


def test_one_broker_killed_while_signals_flow_loses_nothing(
    cluster: BrokerSettings, fresh_pg_url: str, unique_group: Callable[[str], str]
) -> None:
    # No replication factor in the settings: the topics get one replica per node (three).
    admin = broker.admin_settings(cluster).model_copy(
        update={"topic_prefix": "c.", "replication_factor": None}
    )
    create_topics(admin)
    with closing(make_admin(admin)) as client:
        [described] = client.describe_topics([admin.signal_topic("police")])
        topic = ConfigResource(ConfigResourceType.TOPIC, admin.signal_topic("police"))
        configs = client.describe_configs([topic], config_filter="All")["topic"][topic.name]
    assert {len(p["replica_nodes"]) for p in described["partitions"]} == {3}
    assert configs["min.insync.replicas"]["value"] == "2"

    police = admin.as_principal("police", kafka_access.create_principal(admin, "police"))
    intake = admin.as_principal("intake", kafka_access.create_principal(admin, "intake"))
    migrate.upgrade(fresh_pg_url)
    runner = IntakeThread(intake, fresh_pg_url, unique_group("intake"), batch_size=50)
    published: list[str] = []
    stop = threading.Event()

    def publish() -> None:
        with Publisher(police, rules=HUB_RULES, timeout_s=20) as publisher:
            n = 0
            while not stop.is_set():
                batch = [make_signal(make_family((n + i) % 50), "police") for i in range(5)]
                try:
                    publisher.publish_many(batch)
                except PublishError:
                    continue  # not acknowledged: the same signals again (same event ids)
                published.extend(s["event_id"] for s in batch)
                n += 5
                time.sleep(0.05)

    sender = threading.Thread(target=publish, daemon=True)
    sender.start()
    try:
        wait_for(lambda: len(published) >= 50, 60, "signals before the kill")
        os.kill(broker.status(cluster).pids[0] or 0, signal.SIGKILL)
        killed_at = len(published)
        wait_for(lambda: len(published) >= killed_at + 100, 90, "signals acknowledged after the kill")
    finally:
        stop.set()
        sender.join(60)
    engine = make_engine(fresh_pg_url)
    try:

        def inbox() -> set[str]:
            with engine.connect() as c:
                return {r.event_id for r in c.execute(text("SELECT event_id FROM inbox"))}

        wait_for(lambda: set(published) <= inbox(), 90, "every acknowledged signal in the inbox")
    finally:
        runner.close()
        engine.dispose()
    assert runner.error is None
    assert not broker.status(cluster).running  # one node is down, the cluster served all the same
