"""The one publisher against the real broker: what it sends is what a consumer reads back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from producers.adapters import ADAPTERS
from producers.publisher import Publisher, PublishError, headers_for
from schemas.codec import Codec
from signalhub.region import Region
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel, SignalValidationError, validate_signal
from tests.fixtures.intake import HUB_RULES
from tests.integration.producers.helpers import headers_of, read_topic
from tests.unit.producers import samples
from tests.unit.schemas.samples import risk_signal

REGION = Region.of("31")  # Belgorod: Moscow time, the zone the samples were written in

pytestmark = pytest.mark.integration

SAMPLES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("police-incident", samples.police),
    ("health-notice", samples.health),
    ("education-attendance", samples.attendance),
    ("education-report", samples.teacher_report),
    ("guardianship-act", samples.guardianship),
    ("social-decision", samples.social),
]


def sample_signal(record_type: str, sample: Callable[[], dict[str, Any]]) -> RiskSignalModel:
    signal = ADAPTERS[record_type].convert(sample(), REGION)
    assert signal is not None
    return signal


def test_every_agency_publishes_and_reads_back(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    signals = [sample_signal(t, s) for t, s in SAMPLES]
    with Publisher(kafka_as("gateway"), rules=HUB_RULES) as publisher:
        deliveries = publisher.publish_many(signals)
    assert [d.event_id for d in deliveries] == [str(s.event_id) for s in signals]
    codec = Codec("RiskSignal")
    by_id = {}
    for agency in {s.agency.value for s in signals}:
        for record in read_topic(kafka_settings, kafka_settings.signal_topic(agency)):
            by_id[headers_of(record)["ce_id"]] = record
    assert len(by_id) == len(signals)
    for signal in signals:
        record = by_id[str(signal.event_id)]
        assert RiskSignalModel.from_avro(codec.decode(record.value)) == signal
        assert record.key == signal.source_record_id.encode()
        headers = headers_of(record)
        assert headers["ce_specversion"] == "1.0"
        assert headers["ce_id"] == str(signal.event_id)
        assert headers["ce_type"] == f"ru.signalhub.signal.{signal.signal_type.value}"
        assert headers["ce_source"].startswith(f"{signal.agency.value}/")
        assert headers["content-type"] == "application/avro"
        assert headers["ce_time"].endswith("Z")


def test_resend_reuses_event_id_and_partition(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    signal = validate_signal(risk_signal())
    with Publisher(kafka_as("police"), rules=HUB_RULES) as publisher:
        first = publisher.publish(signal)
        again = publisher.publish(risk_signal())  # the same signal, as a dict
    assert first.event_id == again.event_id == str(signal.event_id)
    assert first.partition == again.partition
    records = read_topic(kafka_settings, kafka_settings.signal_topic("police"), expect=2)
    assert [headers_of(r)["ce_id"] for r in records] == [first.event_id] * 2
    assert records[0].value == records[1].value


def test_invalid_signal_publishes_nothing(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    good = risk_signal()
    bad = risk_signal() | {"event_id": "00000000-0000-4000-8000-000000000001", "municipality_code": "1"}
    with (
        Publisher(kafka_as("police"), rules=HUB_RULES) as publisher,
        pytest.raises(SignalValidationError) as caught,
    ):
        publisher.publish_many([good, bad])
    assert [e.path for e in caught.value.errors] == ["municipality_code"]
    assert read_topic(kafka_settings, kafka_settings.signal_topic("police"), idle_s=1.0) == []


def test_unreachable_broker_raises_publish_error() -> None:
    nowhere = KafkaSettings(bootstrap_servers="127.0.0.1:9", topic_prefix="none.", username="police")
    with (
        Publisher(nowhere, rules=HUB_RULES, timeout_s=2.0) as publisher,
        pytest.raises(PublishError) as caught,
    ):
        publisher.publish(risk_signal())
    assert caught.value.retriable
    assert "Иванова" not in str(caught.value)


def test_headers_percent_encode_the_source_system() -> None:
    headers = dict(headers_for(validate_signal(risk_signal())))
    assert headers["ce_source"] == b"police/%D0%98%D0%A1%D0%9E%D0%94%20%D0%9C%D0%92%D0%94"
