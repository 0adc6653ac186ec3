"""A non-Python client (kcat, librdkafka) reads exactly the bytes and headers the publisher sent."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest

from producers.publisher import Publisher
from schemas.codec import Codec
from signalhub.settings import KafkaSettings
from signalhub.signals import validate_signal
from tests.fixtures.intake import HUB_RULES
from tests.fixtures.kafka import kcat_env, kcat_options
from tests.unit.schemas.samples import risk_signal

pytestmark = pytest.mark.integration


def test_kcat_reads_the_same_bytes(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings]
) -> None:
    assert shutil.which("kcat"), "kcat is missing: deploy/system-deps.sh installs Debian's kcat"
    signal = validate_signal(risk_signal())
    with Publisher(kafka_as("police"), rules=HUB_RULES) as publisher:
        delivery = publisher.publish(signal)
    expected = Codec("RiskSignal").encode(signal.to_avro())
    common = ["kcat", "-C", *kcat_options(kafka_settings), "-t", delivery.topic]
    common += ["-p", str(delivery.partition), "-o", str(delivery.offset), "-c", "1", "-e", "-q"]
    value = subprocess.run(
        [*common, "-D", "", "-f", "%s"], capture_output=True, check=True, timeout=60, env=kcat_env()
    )
    assert value.stdout == expected
    assert value.stdout[:2] == b"\xc3\x01"
    meta = subprocess.run(
        [*common, "-f", "%k|%h"], capture_output=True, check=True, timeout=60, env=kcat_env()
    )
    key, headers = meta.stdout.decode("utf-8").split("|", 1)
    assert key == signal.source_record_id
    assert f"ce_id={signal.event_id}" in headers
    assert "ce_type=ru.signalhub.signal.domestic_violence" in headers
