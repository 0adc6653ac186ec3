"""`signalhub demo` end to end: the hub's processes start, simulated signals become cases whose
alerts reach the webhook sink, and Ctrl-C stops every process it started (not a broker it found)."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from signalhub import broker, kafka_access
from signalhub.settings import BrokerSettings, KafkaSettings
from signalhub_cli.demo_setup import PRINCIPAL_OF
from signalhub_cli.demo_support import signalhub_command
from tests.fixtures.kafka import TEST_ROOT, Principals

pytestmark = pytest.mark.integration


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _ports(count: int) -> int:
    """The first of `count` consecutive ports nobody listens on."""
    while True:
        base = random.randint(20000, 30000)
        if all(_free(base + i) for i in range(count)):
            return base


def _wait_for(path: Path, pattern: str, timeout_s: float, process: subprocess.Popen[bytes]) -> re.Match[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = re.search(pattern, path.read_text(errors="replace"))
        if found:
            return found
        assert process.poll() is None, path.read_text()
        time.sleep(0.5)
    raise AssertionError(f"no {pattern!r} within {timeout_s} s:\n{path.read_text()}")


def test_demo_runs_the_hub_and_stops_what_it_started(
    kafka_settings: KafkaSettings, kafka_principals: Principals, tmp_path: Path
) -> None:
    data_dir = TEST_ROOT / f"session-{os.getpid()}"
    assert broker.status(BrokerSettings(data_dir=data_dir)).running
    api_port, metrics_port, sink_port = _ports(1), _ports(4), _ports(1)
    env = os.environ | {
        "SIGNALHUB_BROKER_DATA_DIR": str(data_dir),
        "SIGNALHUB_BROKER_PORT": kafka_settings.bootstrap_servers.rsplit(":", 1)[1],
        "SIGNALHUB_KAFKA_TOPIC_PREFIX": kafka_settings.topic_prefix,
        "SIGNALHUB_DB_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "SIGNALHUB_NOTIFIER_GROUP_ID": f"notifier-{kafka_settings.topic_prefix}",
    }
    args = ["demo", "--rate", "5", "--api-port", str(api_port), "--metrics-port", str(metrics_port)]
    args += ["--sink-port", str(sink_port), "--work-dir", str(tmp_path / "demo")]
    out = tmp_path / "demo.out"
    # Started with SIGINT ignored, as a non-interactive shell starts a background job (`make demo &`,
    # a CI runner): Ctrl-C (SIGINT) must stop the demo all the same.
    inherited = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with out.open("wb") as sink:
            demo = subprocess.Popen(
                [*signalhub_command(), *args], env=env, stdout=sink, stderr=subprocess.STDOUT
            )
    finally:
        signal.signal(signal.SIGINT, inherited)
    try:
        _wait_for(out, r"login\s+coordinator / \S+", 120, demo)
        assert f"http://127.0.0.1:{api_port}/ui/" in out.read_text()
        _wait_for(out, r"alerts delivered to the sink so far: [1-9]", 90, demo)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
            assert 'signalhub_signals_consumed_total{agency="' in response.read().decode()
    finally:
        demo.send_signal(signal.SIGINT)
        code = demo.wait(timeout=60)
        # The demo gave its processes' principals new passwords: the session's other tests use theirs.
        for principal in set(PRINCIPAL_OF.values()):
            kafka_access.create_principal(kafka_settings, principal, kafka_principals.passwords[principal])
    assert code == 0, out.read_text()
    for port in (api_port, *range(metrics_port, metrics_port + 4)):
        assert _free(port), f"port {port} still served after the demo stopped"
    assert broker.status(BrokerSettings(data_dir=data_dir)).running, "the demo stopped a broker it found"
