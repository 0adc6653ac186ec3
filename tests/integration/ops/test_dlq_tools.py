"""`signalhub dlq list|show|replay` against the real broker: letters as intake writes them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from kafka import TopicPartition
from typer.testing import CliRunner

from schemas.cloudevents import CloudEvent, to_headers
from schemas.codec import Codec
from schemas.errors import SerializationError, SerializationReason
from signalhub import dlq
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import KafkaSettings
from signalhub_cli import app
from tests.unit.ops.test_masking import PERSONAL
from tests.unit.schemas.samples import AT, risk_signal

pytestmark = pytest.mark.integration

GARBAGE = "Иванова Мария Петровна 1998-11-20 ул. Победы".encode()


def _put_letters(settings: KafkaSettings) -> list[tuple[bytes, bytes]]:
    """Two dead letters as intake writes them: an invalid signal and undecodable bytes."""
    record = risk_signal() | {"agency": "health"}  # on signals.police: claims another agency
    event = CloudEvent(id=record["event_id"], source="isod-mvd", type="domestic_violence", time=AT)
    invalid = Codec("RiskSignal").encode(record)
    source = settings.signal_topic("police")
    producer = make_producer(settings)
    try:
        for offset, value, reason, error in (
            (10, invalid, "agency_mismatch", PermissionError("signal claims another agency")),
            (11, GARBAGE, "wrong_magic", SerializationError(SerializationReason.WRONG_MAGIC, "not Avro")),
        ):
            errors = dlq.error_headers(
                topic=source, partition=1, offset=offset, stage="validate", reason=reason,
                error=error, consumer="consumers.intake",
            )  # fmt: skip
            headers = to_headers(event) if value is invalid else []
            producer.send(
                settings.dlq_topic, key=b"subj-77", value=value, headers=[*headers, *errors], partition=0
            )
        producer.flush(10)
    finally:
        producer.close()
    return [(b"subj-77", invalid), (b"subj-77", GARBAGE)]


def _cli(settings: KafkaSettings, *args: str) -> Any:
    """Run `signalhub dlq ...` as the operator principal (the only one that may replay)."""
    env = settings.environment()
    result = CliRunner().invoke(app, ["dlq", *args, "--timeout", "20"], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def _read_topic(settings: KafkaSettings, topic: str, expected: int) -> list[Any]:
    with closing(make_consumer(settings, None, [])) as consumer:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        deadline = time.monotonic() + 20
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records


def test_list_show_and_replay(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    sent = _put_letters(kafka_settings)
    source = kafka_settings.signal_topic("police")

    listed = json.loads(_cli(kafka_as("operator"), "list", "--json"))
    assert [(d["ref"], d["reason"], d["stage"]) for d in listed] == [
        ("0:0", "agency_mismatch", "validate"),
        ("0:1", "wrong_magic", "validate"),
    ]
    assert {(d["source_topic"], d["source_partition"]) for d in listed} == {(source, 1)}
    assert [d["source_offset"] for d in listed] == [10, 11]
    assert (
        json.loads(_cli(kafka_as("operator"), "list", "--json", "--reason", "wrong_magic"))[0]["ref"] == "0:1"
    )
    assert "2 dead letter(s)" in _cli(kafka_as("operator"), "list")

    for ref in ("0:0", "0:1"):
        for output in (
            _cli(kafka_as("operator"), "show", ref, "--json"),
            _cli(kafka_as("operator"), "show", ref),
        ):
            for value in [*PERSONAL, "subj-77"]:
                assert value not in output, value
    shown = json.loads(_cli(kafka_as("operator"), "show", "0:0", "--json"))
    assert shown["headers"]["__connect.errors.exception.message"] == "signal claims another agency"
    assert shown["headers"]["ce_type"] == "domestic_violence"
    assert shown["body"]["record"]["children"][0]["surname"] == "***"
    assert shown["body"]["record"]["agency"] == "health"
    assert (
        json.loads(_cli(kafka_as("operator"), "show", "1", "--json"))["body"]["undecodable"] == "wrong_magic"
    )

    assert "1 replayed" in _cli(kafka_as("operator"), "replay", "0:0")
    assert "1 replayed" in _cli(kafka_as("operator"), "replay", "--all", "--reason", "wrong_magic")
    arrived = _read_topic(kafka_settings, source, 2)
    assert [(r.partition, r.key, r.value) for r in arrived] == [(1, *sent[0]), (1, *sent[1])]
    first = dict(arrived[0].headers)
    assert first[dlq.REPLAYED_FROM] == f"{kafka_settings.dlq_topic}:0:0".encode()
    assert first["ce_id"] == risk_signal()["event_id"].encode()
    assert not any(k.startswith("__connect.errors.") for r in arrived for k, _ in r.headers)
    assert dict(arrived[1].headers)[dlq.REPLAYED_FROM] == f"{kafka_settings.dlq_topic}:0:1".encode()


def test_replay_refuses_a_target_that_is_not_a_signal_topic(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    letter = dlq.DeadLetter(
        partition=0, offset=0, timestamp=AT, key=None, value=b"x",
        headers=[("__connect.errors.topic", kafka_settings.alert_topic.encode())],
    )  # fmt: skip
    [result] = dlq.replay(kafka_as("operator"), [letter])
    assert result.error is not None
    with closing(make_consumer(kafka_settings, None, [])) as consumer:
        topic = kafka_settings.alert_topic
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        assert tps
        assert sum(consumer.end_offsets(tps).values()) == 0
