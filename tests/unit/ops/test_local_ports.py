"""Broker ports outside the kernel's ephemeral range: a client reconnecting to a stopped broker may
be given an ephemeral port equal to the broker's, connect to itself and hold it, and the broker
could not be restarted (found by the fault harness, scenario 1)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from signalhub import broker, local_ports
from signalhub.settings import BrokerSettings
from tests.fixtures.kafka import TEST_PORTS, free_ports


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The two kernel settings, as files the test writes."""
    port_range, reserved = tmp_path / "ip_local_port_range", tmp_path / "ip_local_reserved_ports"
    port_range.write_text("32768\t60999\n")
    reserved.write_text("\n")
    monkeypatch.setattr(local_ports, "RANGE_FILE", port_range)
    monkeypatch.setattr(local_ports, "RESERVED_FILE", reserved)
    return port_range, reserved


def test_ports_in_the_range_are_ephemeral_unless_reserved(kernel: tuple[Path, Path]) -> None:
    _, reserved = kernel
    assert [local_ports.ephemeral(p) for p in (9092, 32767, 32768, 39392, 60999, 61000)] == [
        False, False, True, True, True, False,
    ]  # fmt: skip
    reserved.write_text("39392-39393,45000\n")
    assert [local_ports.ephemeral(p) for p in (39391, 39392, 39393, 45000)] == [True, False, False, False]


def test_an_unreadable_range_is_linuxs_default(kernel: tuple[Path, Path]) -> None:
    kernel[0].unlink()
    assert local_ports.ephemeral_range() == (32768, 60999)


def test_broker_refuses_a_port_in_the_ephemeral_range_naming_the_setting(
    kernel: tuple[Path, Path], tmp_path: Path
) -> None:
    settings = BrokerSettings(port=39392, controller_port=39393, data_dir=tmp_path / "kafka")
    with pytest.raises(broker.BrokerError) as refused:
        broker.up(settings)
    message = str(refused.value)
    assert "SIGNALHUB_BROKER_PORT" in message
    assert "ephemeral port range 32768-60999" in message
    assert not (tmp_path / "kafka" / "kafka.pid").exists()


def test_free_ports_and_the_test_brokers_ports_are_below_the_range() -> None:
    low, _ = local_ports.ephemeral_range()
    assert all(port < low for port in TEST_PORTS)
    for _ in range(5):
        first, second = free_ports()
        assert second == first + 1 < low
        assert all(local_ports.bindable(port) for port in (first, second))
    block = local_ports.free_block(6, random.Random(1))
    assert block + 5 < low
