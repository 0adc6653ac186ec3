"""The producer commands end to end against the real broker: import, simulate, receipts, gateway keys."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producers.rows import write_csv
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel
from signalhub_cli import app
from tests.integration.producers.helpers import headers_of, read_topic
from tests.unit.producers import samples

pytestmark = pytest.mark.integration


@pytest.fixture
def env(
    kafka_settings: KafkaSettings,
    kafka_as: Callable[[str], KafkaSettings],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[str], KafkaSettings]:
    """`env("police")`: the commands run as that Kafka principal; returns the test's own (super
    user) settings, which read back what they published."""
    monkeypatch.setenv("SIGNALHUB_GATEWAY_KEYS_FILE", str(tmp_path / "keys.json"))

    def run_as(principal: str) -> KafkaSettings:
        for name, value in kafka_as(principal).environment().items():
            monkeypatch.setenv(name, value)
        return kafka_settings

    return run_as


def test_import_command(env: Callable[[str], KafkaSettings], tmp_path: Path) -> None:
    kafka = env("police")
    path = tmp_path / "kusp.csv"
    bad = samples.police() | {"oktmo": "123"}
    write_csv(path, [samples.police(), bad])
    result = CliRunner().invoke(app, ["import", str(path), "--agency", "police", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "published 1, rejected 1" in result.output
    (record,) = read_topic(kafka, kafka.signal_topic("police"), expect=1)
    signal = RiskSignalModel.from_avro(Codec("RiskSignal").decode(record.value))
    assert signal.source_record_id == "3104/КУСП-4812/2026"
    assert "municipality_code" in (tmp_path / "kusp.csv.rejects.csv").read_text(encoding="utf-8")
    again = CliRunner().invoke(app, ["import", str(path), "--agency", "police", "--format", "csv"])
    assert "published in this run 0" in again.output


def test_simulate_command_publishes_all_agencies_and_truth(
    env: Callable[[str], KafkaSettings], tmp_path: Path
) -> None:
    kafka = env("gateway")
    truth = tmp_path / "truth"
    result = CliRunner().invoke(
        app, ["simulate", "--rate", "200", "--duration", "0.5", "--seed", "3", "--truth-out", str(truth)]
    )
    assert result.exit_code == 0, result.output
    sent = (truth / "signals.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(sent) == 100
    codec = Codec("RiskSignal")
    seen = 0
    for agency in ("police", "health", "education", "guardianship", "social"):
        records = read_topic(kafka, kafka.signal_topic(agency))
        assert records, agency
        for record in records:
            assert RiskSignalModel.from_avro(codec.decode(record.value)).agency.value == agency
            assert headers_of(record)["ce_type"].startswith("ru.signalhub.signal.")
        seen += len(records)
    assert seen == 100


def test_receipts_command(
    env: Callable[[str], KafkaSettings], kafka_as: Callable[[str], KafkaSettings]
) -> None:
    kafka = env("police")
    codec = Codec("SignalReceipt")
    producer = make_producer(kafka_as("relay"))  # receipts are the hub's to write
    for status in ("accepted", "duplicate", "rejected"):
        receipt = {
            "receipt_id": str(uuid.uuid4()), "event_id": str(uuid.uuid4()), "agency": "police",
            "source_record_id": "3104/КУСП-4812/2026", "status": status,
            "case_number": "54-2026-000017" if status == "accepted" else None, "corroborated": False,
            "reason": "municipality_code: wrong pattern" if status == "rejected" else None,
            "error_field": "municipality_code" if status == "rejected" else None,
            "processed_at": datetime.now(UTC),
        }  # fmt: skip
        producer.send(kafka.receipt_topic("police"), codec.encode(receipt)).get(timeout=30)
    producer.close()
    runner = CliRunner()
    result = runner.invoke(app, ["receipts", "--agency", "police", "--idle", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "3 receipt(s)" in result.output
    assert "54-2026-000017" in result.output
    assert "rejected" in result.output
    seen = runner.invoke(app, ["receipts", "--agency", "police", "--idle", "1"])
    assert "0 receipt(s)" in seen.output  # the group has seen them
    everything = runner.invoke(
        app, ["receipts", "--agency", "police", "--from-beginning", "--limit", "2", "--idle", "1"]
    )
    assert "2 receipt(s)" in everything.output


def test_gateway_add_key_prints_it_once(env: Callable[[str], KafkaSettings], tmp_path: Path) -> None:
    env("gateway")
    result = CliRunner().invoke(app, ["gateway", "add-key", "--agency", "police", "--label", "ИСОД"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("shg_")
    stored = json.loads((tmp_path / "keys.json").read_text(encoding="utf-8"))
    assert key not in json.dumps(stored)
    listed = CliRunner().invoke(app, ["gateway", "list-keys"])
    assert "police" in listed.output
    assert key not in listed.output
