"""The real broker, secured: who is refused and who may do what (invariant 6).

Clients built raw here (kafka-python without `signalhub.kafka`) are the point of those tests: they
are what an outsider would try.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from sqlalchemy import text
from typer.testing import CliRunner

from signalhub import kafka_access
from signalhub.kafka import make_admin, make_consumer, make_producer
from signalhub.settings import KafkaSettings
from signalhub.store.base import make_engine
from signalhub_cli import app
from signalhub_cli.agencies import SECTION_TITLES
from tests.fixtures.intake import encode, make_family, make_signal, wait_for
from tests.fixtures.kafka import Principals, kcat_env

pytestmark = pytest.mark.integration


@pytest.fixture
def police_restored(kafka_settings: KafkaSettings, kafka_principals: Principals) -> Iterator[None]:
    """Tests that revoke or re-key `police` give it back its session password afterwards."""
    yield
    kafka_access.create_principal(kafka_settings, "police", kafka_principals.passwords["police"])


def _answers(settings: KafkaSettings) -> bool:
    try:
        with closing(make_admin(settings, request_timeout_ms=5000, bootstrap_timeout_ms=5000)) as admin:
            admin.describe_cluster()
    except (KafkaError, OSError):
        return False
    return True


def _read(settings: KafkaSettings, topic: str) -> None:
    with closing(make_consumer(settings, None, [])) as consumer:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        consumer.end_offsets([partition])
        consumer.poll(timeout_ms=500)


def _write(settings: KafkaSettings, topic: str) -> None:
    producer = make_producer(settings, max_block_ms=10_000)
    try:
        producer.send(topic, b"probe").get(timeout=10)
    finally:
        producer.close(timeout=5)


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SSL"])
def test_a_client_without_credentials_is_refused(kafka_settings: KafkaSettings, protocol: str) -> None:
    """No SASL: plain TCP gets no Kafka answer, TLS alone is not authenticated; same on the
    controller port, which wants the broker's own client certificate."""
    ports = [kafka_settings.bootstrap_servers, _controller_address(kafka_settings)]
    for address in ports:
        with pytest.raises(KafkaError):
            KafkaAdminClient(
                bootstrap_servers=address, security_protocol=protocol,
                ssl_cafile=str(kafka_settings.ca_file), request_timeout_ms=3000, bootstrap_timeout_ms=3000,
            )  # fmt: skip


def test_a_wrong_password_is_refused(kafka_as: Callable[[str], KafkaSettings]) -> None:
    police = kafka_as("police")
    assert _answers(police)
    assert not _answers(police.as_principal("police", "not-the-password"))


def test_a_revoked_agency_is_refused(
    kafka_settings: KafkaSettings, kafka_as: Callable[[str], KafkaSettings], police_restored: None
) -> None:
    police = kafka_as("police")
    _write(police, police.signal_topic("police"))
    result = CliRunner().invoke(
        app, ["agencies", "revoke", "--agency", "police"], env=kafka_settings.environment()
    )
    assert result.exit_code == 0, result.output
    assert "police: revoked" in result.output
    assert not _answers(police)
    listed = CliRunner().invoke(app, ["agencies", "list"], env=kafka_settings.environment())
    assert "police" not in listed.output
    assert "health: may write topic" in listed.output


def test_police_writes_only_its_signals_and_reads_only_its_receipts(
    kafka_as: Callable[[str], KafkaSettings],
) -> None:
    police = kafka_as("police")
    _write(police, police.signal_topic("police"))
    _read(police, police.receipt_topic("police"))
    with pytest.raises(TopicAuthorizationFailedError):
        _write(police, police.signal_topic("health"))
    with pytest.raises(TopicAuthorizationFailedError):
        _read(police, police.receipt_topic("health"))
    with pytest.raises(TopicAuthorizationFailedError):
        _read(police, police.alert_topic)
    with pytest.raises(TopicAuthorizationFailedError):
        _read(police, police.signal_topic("police"))


def test_hub_roles_are_least_privilege(kafka_as: Callable[[str], KafkaSettings]) -> None:
    intake, notifier, api = kafka_as("intake"), kafka_as("notifier"), kafka_as("api")
    for agency in ("police", "health"):
        with pytest.raises(TopicAuthorizationFailedError):
            _write(intake, intake.signal_topic(agency))
    _write(intake, intake.dlq_topic)
    _read(notifier, notifier.alert_topic)
    with pytest.raises(KafkaError, match="AuthorizationFailed"):  # no write at all: no producer id
        _write(notifier, notifier.alert_topic)
    _read(api, api.dlq_topic)
    with pytest.raises(TopicAuthorizationFailedError):  # only the operator replays dead letters
        _write(api, api.signal_topic("police"))
    _write(kafka_as("operator"), api.signal_topic("police"))


def test_consumer_groups_are_the_principals_own(
    kafka_as: Callable[[str], KafkaSettings], unique_group: Callable[[str], str]
) -> None:
    police = kafka_as("police")

    def poll_in(group: str) -> None:
        with closing(make_consumer(police, group, [police.receipt_topic("police")])) as consumer:
            for _ in range(20):
                consumer.poll(timeout_ms=250)

    poll_in(unique_group("police"))
    with pytest.raises(GroupAuthorizationFailedError):
        poll_in(unique_group("health"))


def test_kcat_with_the_printed_config_publishes_a_signal_that_reaches_a_case(
    kafka_settings: KafkaSettings,
    migrated_db: str,
    intake_thread: Callable[[str], object],
    police_restored: None,
    tmp_path: Path,
) -> None:
    assert shutil.which("kcat"), "kcat is missing: deploy/system-deps.sh installs Debian's kcat"
    result = CliRunner().invoke(
        app, ["agencies", "add", "--agency", "police"], env=kafka_settings.environment()
    )
    assert result.exit_code == 0, result.output
    config = tmp_path / "police.conf"
    config.write_text(_section(result.output, SECTION_TITLES["librdkafka"]))
    assert "sasl.username=police" in config.read_text()
    assert "from kafka import" in _section(result.output, SECTION_TITLES["kafka-python"])
    assert 'username="police"' in _section(result.output, SECTION_TITLES["java"])

    intake_thread(migrated_db)
    signal = make_signal(make_family(41), "police")
    value, headers = encode(signal)
    body = tmp_path / "signal.avro"
    body.write_bytes(value)
    args = ["kcat", "-P", "-F", str(config), "-t", kafka_settings.signal_topic("police")]
    args += ["-k", signal["source_record_id"]]
    args += [arg for name, raw in headers for arg in ("-H", f"{name}={raw.decode()}")]
    subprocess.run([*args, str(body)], check=True, timeout=60, capture_output=True, env=kcat_env())

    def case_count() -> int:
        engine = make_engine(migrated_db)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        finally:
            engine.dispose()

    wait_for(lambda: case_count() == 1, 60, "the case of the signal kcat published")


def _section(output: str, title: str) -> str:
    after = output.split(title, 1)[1].split("\n", 1)[1]
    return after.split("# -----", 1)[0]


def _controller_address(settings: KafkaSettings) -> str:
    host, port = settings.bootstrap_servers.rsplit(":", 1)
    properties = Path(str(settings.ca_file)).parent.parent / "server.properties"
    for line in properties.read_text().splitlines():
        if line.startswith("controller.quorum.bootstrap.servers="):
            return line.split("=", 1)[1]
    raise AssertionError(f"no controller address in {properties} (broker {host}:{port})")
