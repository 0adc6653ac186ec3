"""The principals' ACLs as data (the broker enforcing them: tests/integration/test_kafka_security.py)
and the client settings an agency is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from signalhub import agency_clients
from signalhub.kafka_access import HUB_ROLES, grants
from signalhub.settings import AGENCIES, KafkaSettings

SETTINGS = KafkaSettings(topic_prefix="p.")


def _described(principal: str) -> set[str]:
    return {g.describe() for g in grants(principal, SETTINGS)}


def test_an_agency_writes_its_signals_and_reads_its_receipts_only() -> None:
    assert _described("police") == {
        "write topic p.signals.police",
        "read topic p.receipts.police",
        "read group police*",
    }


def test_intake_reads_signals_and_writes_receipts_and_dead_letters() -> None:
    described = _described("intake")
    assert {f"read topic p.signals.{a}" for a in AGENCIES} <= described
    assert {"write topic p.receipts.*", "write topic p.signals.dlq", "read group intake*"} <= described
    assert not any(d.startswith("write topic p.signals.") and not d.endswith("dlq") for d in described)


def test_only_the_operator_reads_and_replays_dead_letters() -> None:
    replaying = [
        p for p in (*AGENCIES, *HUB_ROLES)
        if "read topic p.signals.dlq" in _described(p) and "write topic p.signals.police" in _described(p)
    ]  # fmt: skip
    assert replaying == ["operator"]
    assert _described("api") == {"read topic p.signals.dlq"}


def test_alerts_are_read_by_the_notifier_and_the_regional_service_written_by_the_relay() -> None:
    readers = [
        p for p in (*AGENCIES, *HUB_ROLES) if "read topic p.alerts.children-in-family" in _described(p)
    ]
    writers = [
        p for p in (*AGENCIES, *HUB_ROLES) if "write topic p.alerts.children-in-family" in _described(p)
    ]
    assert sorted(readers) == ["notifier", "regional"]
    assert writers == ["relay"]


def test_an_unknown_principal_is_refused() -> None:
    with pytest.raises(ValueError, match="principal: must be an agency"):
        grants("admin", SETTINGS)


def test_client_settings_carry_the_credential_ca_and_own_group() -> None:
    client = agency_clients.AgencyClient(
        agency="health", bootstrap_servers="hub.example.ru:9092", password="pw-1",
        ca_file=Path("/etc/hub/ca.pem"), signal_topic="signals.health", receipt_topic="receipts.health",
    )  # fmt: skip
    rdkafka = agency_clients.librdkafka(client)
    assert "security.protocol=SASL_SSL\n" in rdkafka
    assert "sasl.mechanisms=SCRAM-SHA-512\n" in rdkafka
    assert "sasl.username=health\nsasl.password=pw-1\n" in rdkafka
    assert "ssl.ca.location=/etc/hub/ca.pem\n" in rdkafka
    assert "group.id=health-receipts\n" in rdkafka
    java = agency_clients.java(client)
    assert 'username="health" password="pw-1";' in java
    assert "ssl.truststore.type=PEM\nssl.truststore.location=/etc/hub/ca.pem\n" in java
    snippet = agency_clients.kafka_python(client)
    compile(snippet, "<snippet>", "exec")
    assert "sasl_plain_password='pw-1'" in snippet
    assert "group_id='health-receipts'" in snippet
