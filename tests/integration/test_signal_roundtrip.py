"""A real RiskSignal, Avro-encoded with CloudEvents headers, through the real broker and back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

import pytest

from schemas.cloudevents import CloudEvent, from_headers, to_headers
from schemas.codec import Codec
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import KafkaSettings
from tests.unit.schemas.samples import AT, risk_signal

pytestmark = pytest.mark.integration


def test_signal_survives_the_broker_byte_for_byte(
    kafka_settings: KafkaSettings, unique_group: Callable[[str], str]
) -> None:
    codec = Codec("RiskSignal")
    signal = risk_signal()
    value = codec.encode(signal)
    event = CloudEvent(
        id=signal["event_id"], source="police/ИСОД МВД", type="ru.signalhub.signal.domestic_violence", time=AT
    )
    topic = kafka_settings.signal_topic("police")
    producer = make_producer(kafka_settings)
    producer.send(topic, key=signal["source_record_id"].encode(), value=value, headers=to_headers(event)).get(
        10
    )
    producer.close()

    consumer = make_consumer(kafka_settings, unique_group("roundtrip"), [topic])
    with closing(consumer):
        records = []
        for _ in range(30):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
            if records:
                break
    assert len(records) == 1
    record = records[0]
    assert record.value == value
    assert from_headers(record.headers) == event
    decoded = codec.decode(record.value)
    assert decoded["children"][0]["birth_cert"] == "II-ЛО 123456"
    assert str(decoded["event_id"]) == signal["event_id"]
