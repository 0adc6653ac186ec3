"""The repo's Kafka broker and the Kafka wiring, against a real broker (never mocked)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType

from signalhub import broker
from signalhub.kafka import create_topics, make_admin, make_consumer, make_producer, topic_specs
from signalhub.settings import AGENCIES, BrokerSettings, KafkaSettings
from tests.fixtures.kafka import broker_settings, free_ports, kafka_settings_for

pytestmark = pytest.mark.integration


def consume(consumer: KafkaConsumer, count: int, timeout_ms: int = 15_000) -> list[tuple[bytes, bytes]]:
    """Poll until `count` records arrived (or the time is up); (key, value) pairs in arrival order."""
    got: list[tuple[bytes, bytes]] = []
    for _ in range(timeout_ms // 500):
        for records in consumer.poll(timeout_ms=500).values():
            got.extend((r.key, r.value) for r in records)
        if len(got) >= count:
            break
    return got


def test_produce_and_consume(kafka_settings: KafkaSettings, unique_group: Callable[[str], str]) -> None:
    topic = kafka_settings.signal_topic("police")
    producer = make_producer(kafka_settings)
    metadata = producer.send(topic, key=b"family-1", value=b"signal", headers=[("ce_id", b"e-1")]).get(10)
    producer.close()
    assert metadata.topic == topic

    consumer = make_consumer(kafka_settings, unique_group("test"), [topic])
    with closing(consumer):
        assert consume(consumer, 1) == [(b"family-1", b"signal")]
        consumer.commit()
        partition = TopicPartition(topic, metadata.partition)
        assert consumer.committed(partition) == metadata.offset + 1


def test_create_topics_is_idempotent_and_lays_out_topics(kafka_settings: KafkaSettings) -> None:
    # The fixture already created them: a second call creates nothing and raises nothing.
    assert create_topics(kafka_settings) == []

    specs = {spec.name: spec for spec in topic_specs(kafka_settings)}
    assert len(specs) == 2 * len(AGENCIES) + 2
    with closing(make_admin(kafka_settings)) as admin:
        described = {t["name"]: t for t in admin.describe_topics(list(specs))}
        resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in specs]
        configs = admin.describe_configs(resources)["topic"]
    for name, spec in specs.items():
        assert described[name]["error_code"] == 0
        assert len(described[name]["partitions"]) == spec.partitions == kafka_settings.partitions
        assert {len(p["replica_nodes"]) for p in described[name]["partitions"]} == {1}
    retention = {name: configs[name]["retention.ms"]["value"] for name in specs}
    assert retention[kafka_settings.dlq_topic] == str(kafka_settings.dlq_retention_ms)
    assert retention[kafka_settings.alert_topic] == str(kafka_settings.retention_ms)
    assert retention[kafka_settings.signal_topic("health")] == str(kafka_settings.retention_ms)


def test_create_topics_returns_what_it_created(kafka_broker: KafkaSettings) -> None:
    settings = kafka_broker.model_copy(update={"topic_prefix": "created-once."})
    with closing(make_admin(settings)) as admin:
        admin.delete_topics([n for n in admin.list_topics() if n.startswith("created-once.")])
    try:
        assert create_topics(settings) == sorted(spec.name for spec in topic_specs(settings))
        assert create_topics(settings) == []
    finally:
        with closing(make_admin(settings)) as admin:
            admin.delete_topics([spec.name for spec in topic_specs(settings)], raise_errors=False)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[BrokerSettings]:
    """A broker of its own (ports, data dir), so stopping it disturbs no other test."""
    settings = broker_settings(tmp_path / "kafka", free_ports())
    yield settings
    broker.down(settings)


def test_messages_survive_a_broker_restart(
    own_broker: BrokerSettings, unique_group: Callable[[str], str]
) -> None:
    first = broker.up(own_broker)
    assert not first.already_running
    assert broker.up(own_broker).already_running
    settings = kafka_settings_for(own_broker).model_copy(update={"partitions": 1})
    create_topics(settings)
    topic = settings.signal_topic("education")
    producer = make_producer(settings)
    for i in range(5):
        producer.send(topic, key=b"k%d" % i, value=b"v%d" % i)
    producer.flush(10)
    producer.close()

    assert broker.down(own_broker)
    assert not broker.status(own_broker).running
    assert not broker.down(own_broker)
    second = broker.up(own_broker)
    assert not second.already_running
    assert second.pid != first.pid

    assert create_topics(settings) == []
    consumer = make_consumer(settings, unique_group("restart"), [topic])
    with closing(consumer):
        assert consume(consumer, 5) == [(b"k%d" % i, b"v%d" % i) for i in range(5)]


def test_a_broker_that_cannot_start_reports_its_log(tmp_path: Path) -> None:
    settings = broker_settings(tmp_path / "kafka", free_ports()).model_copy(update={"heap": "nonsense"})
    with pytest.raises(broker.BrokerError, match="exited while starting") as failure:
        broker.up(settings)
    assert "kafka.out" in str(failure.value)
    assert not broker.status(settings).running
