"""What `signalhub demo` is built from: child processes it owns, a webhook sink, readiness checks.

Contracts:
- `Supervisor.start` runs a `signalhub` subcommand in a session (process group) of its own, its
  output going to `<log_dir>/<name>.log`; `stop_all` sends SIGTERM to every group it started, newest
  first, and SIGKILL to those still alive after the grace period. It never signals anything else.
- A child ends with the demo even when the demo is killed (SIGKILL, OOM): the child asks the kernel
  for SIGTERM when its parent dies (`end_with_parent`, Linux `PR_SET_PDEATHSIG`), the parent's pid
  being passed in `PARENT_ENV`.
- `ReceiverServer` is the threaded HTTP server of every webhook receiver we run (the demo's sink,
  the tests' and benchmarks' receivers): its listen backlog holds every connection the notifier
  opens at once.
- `AlertSink` accepts `POST` of the notifier's alert JSON on any path, answers 200 and counts alerts
  by type; it keeps and prints nothing else (alerts carry no personal data, and the sink does not
  rely on that).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)
PARENT_ENV = "SIGNALHUB_DEMO_PARENT_PID"
PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """In a child of the demo: get SIGTERM when the demo dies; exit now if it already has."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        log.warning("could not tie this process to the demo (prctl errno %d)", ctypes.get_errno())
    if os.getppid() != int(parent):  # the demo died before the request took effect
        raise SystemExit(0)


def signalhub_command() -> list[str]:
    """How to run the `signalhub` CLI of this very installation."""
    script = Path(sys.executable).with_name("signalhub")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from signalhub_cli import app; app()"]


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class Supervisor:
    """Children of the demo, each in its own process group (see the module contract)."""

    log_dir: Path
    env: dict[str, str]
    # Per child name, what it adds to `env`: its own Kafka principal's settings.
    own_env: dict[str, dict[str, str]] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: list[str]) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                [*signalhub_command(), *args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=self.env | self.own_env.get(name, {}) | {PARENT_ENV: str(os.getpid())}, start_new_session=True,
            )  # fmt: skip
        child = Child(name, args, process, log_path)
        self.children.append(child)
        return child

    def exited(self) -> list[Child]:
        """Children that are no longer running."""
        return [c for c in self.children if c.process.poll() is not None]

    def stop_all(self, grace_s: float = 15.0) -> None:
        for child in reversed(self.children):
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s: killing it", child.name, grace_s)
                _signal_group(child, signal.SIGKILL)
                child.process.wait(timeout=10)
        for child in self.children:  # helpers a child left behind in its group
            _signal_group(child, signal.SIGKILL)
        self.children.clear()


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, sig)


def log_tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return "(no log)"
    return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])


def wait_http_ok(url: str, timeout_s: float, alive: Child | None = None) -> bool:
    """True once `url` answers 2xx; False after `timeout_s` or as soon as `alive` has exited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if alive is not None and alive.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http URL)
                if 200 <= response.status < 300:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


class ReceiverServer(ThreadingHTTPServer):
    """A threaded HTTP server with a real web server's listen backlog (nginx: 511), not
    socketserver's 5. The notifier opens up to `send_concurrency` (at most 32) connections at once;
    while the receiving process's threads hold the GIL its accept thread falls behind, and the
    connects that overflow a backlog of 5 are dropped by the kernel and retried by TCP a second
    later: a claimed batch stalled 1 s (alert_latency's p99 of "notifier recorded -> webhook
    received" was 0.94-0.97 s in the runs it hit)."""

    request_queue_size = 128
    daemon_threads = True


class AlertSink:
    """A webhook receiver for the notifier (see the module contract)."""

    def __init__(self, host: str, port: int, announce: bool = False) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    kind = str(json.loads(body).get("alert_type", "unknown"))
                except (ValueError, AttributeError):
                    kind = "unreadable"
                sink.record(kind[:40])
                if announce:
                    log.info("alert received: %s", kind[:40])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ReceiverServer((host, port), Handler)
        self.port = self.server.server_address[1]

    def record(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, name="alert-sink", daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Simulation:
    """The simulator in rounds of `ROUND_S` seconds, each with the next seed (new families): it
    prepares a whole round before sending, so one endless round would never start."""

    ROUND_S = 600

    def __init__(
        self, supervisor: Supervisor, rate: float, seed: int, truth_dir: Path, failed: Callable[[Child], None]
    ) -> None:
        self.supervisor, self.rate, self.seed, self.truth_dir = supervisor, rate, seed, truth_dir
        self.failed = failed
        self.child: Child | None = None

    def next_round(self) -> None:
        args = [
            "simulate",
            "--rate",
            str(self.rate),
            "--duration",
            str(self.ROUND_S),
            "--seed",
            str(self.seed),
        ]
        self.child = self.supervisor.start(
            "simulator", [*args, "--truth-out", str(self.truth_dir / f"seed-{self.seed}")]
        )
        self.seed += 1

    def check(self) -> None:
        """Start the next round when this one is done; say so once when it failed."""
        if self.child is None or self.child.process.poll() is None:
            return
        done, self.child = self.child, None
        self.supervisor.children.remove(done)
        if done.process.returncode == 0:
            self.next_round()
        else:
            self.failed(done)
