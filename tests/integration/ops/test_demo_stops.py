"""`signalhub demo` as a newcomer runs it: twice in a row each run brings new cases (a new seed
each run); Ctrl-C with the output piped (`make demo | tee log`: the terminal's SIGINT reaches the
demo and the pipe's reader at once) stops everything it started, broker included; and when the demo
itself is killed, its children and the broker it started end as well. Nothing is left running."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from signalhub import broker
from signalhub.settings import BrokerSettings
from signalhub_cli.demo_support import signalhub_command
from tests.integration.ops.test_demo import _ports, _wait_for

pytestmark = pytest.mark.integration


def _processes_of(marker: str) -> list[tuple[int, str]]:
    """(pid, command) of every process whose environment mentions `marker` (this test's directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(entry.name), command[:120]))
        except OSError:
            continue
    return found


def _none_left(marker: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while (left := _processes_of(marker)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], f"left running: {left}"


def _cases(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("select count(*) from cases").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet, or busy
        return 0


def _await_cases(db: Path, more_than: int, timeout_s: float, pipe: subprocess.Popen[bytes], out: Path) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (n := _cases(db)) > more_than:
            return n
        assert pipe.poll() is None, out.read_text(errors="replace")
        time.sleep(1)
    raise AssertionError(f"no new cases within {timeout_s} s:\n{out.read_text(errors='replace')}")


def _demo_pid(pipe: subprocess.Popen[bytes]) -> int:
    """The `signalhub demo` process of the pipe's shell."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == pipe.pid and b"demo" in cmdline:
                return int(entry.name)
    raise AssertionError("no demo process under the pipe's shell")


def test_demo_twice_through_a_pipe_then_killed_leaves_nothing_running(tmp_path: Path) -> None:
    kafka_port = _ports(2)
    controller_port = kafka_port + 1
    api_port, metrics_port, sink_port = _ports(1), _ports(4), _ports(1)
    data_dir = tmp_path / "kafka"
    db = tmp_path / "demo.db"
    env = os.environ | {
        "SIGNALHUB_BROKER_DATA_DIR": str(data_dir),
        "SIGNALHUB_BROKER_PORT": str(kafka_port),
        "SIGNALHUB_BROKER_CONTROLLER_PORT": str(controller_port),
        "SIGNALHUB_DB_URL": f"sqlite:///{db}",
    }
    demo = [*signalhub_command(), "demo", "--rate", "5", "--api-port", str(api_port)]
    demo += [
        "--metrics-port",
        str(metrics_port),
        "--sink-port",
        str(sink_port),
        "--work-dir",
        str(tmp_path / "w"),
    ]
    broker_settings = BrokerSettings(data_dir=data_dir, port=kafka_port, controller_port=controller_port)
    seen = 0
    for run in (1, 2):
        out = tmp_path / f"demo-{run}.out"
        out.touch()
        # As a terminal runs `make demo | tee log`: one process group, the demo's output into a pipe.
        pipe = subprocess.Popen(
            ["sh", "-c", f'"$@" 2>&1 | cat > "{out}"', "sh", *demo], env=env, start_new_session=True
        )
        try:
            _wait_for(out, r"simulator\s+seed \d+", 150, pipe)
            assert f"http://127.0.0.1:{metrics_port}/metrics  (intake)" in out.read_text()
            assert f"http://127.0.0.1:{sink_port}/alerts" in out.read_text()
            seen = _await_cases(db, seen, 60, pipe, out)  # new families this run too
            if run == 1:
                assert "fetching" not in out.read_text()  # the jars are there: nothing fetched
                os.killpg(pipe.pid, signal.SIGINT)  # Ctrl-C: the demo and the pipe's reader
            else:
                os.kill(_demo_pid(pipe), signal.SIGKILL)  # the demo dies without cleaning up
            pipe.wait(timeout=90)
            _none_left(str(tmp_path), 60)
            assert not broker.status(broker_settings).running
            for port in (api_port, kafka_port, *range(metrics_port, metrics_port + 4)):
                assert _ports_free(port), f"port {port} still served after run {run}"
        finally:
            _kill_all(str(tmp_path))


def _kill_all(marker: str) -> None:
    """Never leave this test's processes behind, even those started while we look."""
    for _ in range(20):
        found = _processes_of(marker)
        if not found:
            return
        for pid, _ in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)


def _ports_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0
