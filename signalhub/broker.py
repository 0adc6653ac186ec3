"""The local single-node Apache Kafka broker: `up`, `down`, `status` (development, tests, demo).

Contracts:
- `up` is idempotent: when the broker of this data dir already runs it says so and starts nothing.
  It returns only once the broker's log says "Kafka Server started", or raises `BrokerError`
  with the tail of the log (and leaves no half-started process behind).
- Data survive restarts: storage is formatted once, with a cluster id kept in `cluster.id`.
- The broker runs detached (own session) and outlives the command that started it; `down` stops
  it by pid (SIGTERM, then SIGKILL after `stop_timeout_s`). Only `data_dir` is needed to stop it.
- The jars come from Maven Central through `deploy/kafka/pom.xml` into `libs_dir`, fetched once.

Layout of `data_dir`: `server.properties` (rendered from the template), `kraft/` (log.dirs),
`logs/server.log` (the broker's log), `kafka.out` (JVM stdout/stderr), `kafka.pid`, `cluster.id`.
The controller port is recorded in the metadata log at format time: to change ports, use a fresh
data dir.
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from signalhub.settings import REPO_ROOT, BrokerSettings

log = logging.getLogger(__name__)

DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
READY_MARKER = b"Kafka Server started"
_POLL_S = 0.2
_FILES = {
    "properties": "server.properties",
    "kraft": "kraft",
    "log": "logs/server.log",
    "out": "kafka.out",
    "pid": "kafka.pid",
    "cluster_id": "cluster.id",
    "lock": ".lock",
}


class BrokerError(RuntimeError):
    """The local broker could not be set up, started or stopped; the message says why."""


@dataclass(frozen=True)
class BrokerState:
    running: bool
    pid: int | None
    bootstrap_servers: str
    data_dir: Path


@dataclass(frozen=True)
class StartResult:
    already_running: bool
    pid: int
    seconds: float


def bootstrap_servers(settings: BrokerSettings) -> str:
    return f"127.0.0.1:{settings.port}"


def status(settings: BrokerSettings) -> BrokerState:
    settings = _absolute(settings)
    pid = _running_pid(settings.data_dir)
    return BrokerState(pid is not None, pid, bootstrap_servers(settings), settings.data_dir)


def up(settings: BrokerSettings) -> StartResult:
    """Start the broker of `settings.data_dir` unless it runs; wait until it serves clients."""
    settings = _absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_file(settings.data_dir, "lock")):
        pid = _running_pid(settings.data_dir)
        if pid is not None:
            return StartResult(already_running=True, pid=pid, seconds=0.0)
        for port in (settings.port, settings.controller_port):
            if _port_taken(port):
                raise BrokerError(f"port {port} on 127.0.0.1 is already in use by another process")
        if shutil.which("java") is None:
            raise BrokerError("java not found: Kafka 4 needs Java 17 or newer")
        started = time.monotonic()
        libs = ensure_libs(settings)
        properties = _render_properties(settings)
        _format_storage(settings, libs, properties)
        server_log = data_file(settings.data_dir, "log")
        offset = server_log.stat().st_size if server_log.exists() else 0
        pid = _spawn(_java_command(settings, libs, properties), settings.data_dir)
        data_file(settings.data_dir, "pid").write_text(f"{pid}\n")
        _await_ready(settings, pid, offset)
        seconds = time.monotonic() - started
        log.info("Kafka broker started on %s in %.1f s", bootstrap_servers(settings), seconds)
        return StartResult(already_running=False, pid=pid, seconds=seconds)


def down(settings: BrokerSettings) -> bool:
    """Stop the broker of `settings.data_dir`; False when none was running. Data are kept."""
    settings = _absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with _locked(data_file(settings.data_dir, "lock")):
        pid = _running_pid(settings.data_dir)
        if pid is not None:
            _terminate(settings.data_dir, pid, settings.stop_timeout_s)
        data_file(settings.data_dir, "pid").unlink(missing_ok=True)
        return pid is not None


def ensure_libs(settings: BrokerSettings) -> Path:
    """Make sure `libs_dir` holds the jars of the pom's Kafka version; run Maven once if not."""
    settings = _absolute(settings)
    libs = settings.libs_dir
    marker = libs / f"kafka_2.13-{kafka_version()}.jar"
    libs.parent.mkdir(parents=True, exist_ok=True)
    with _locked(libs.parent / f"{libs.name}.lock"):
        if marker.exists():
            return libs
        libs.mkdir(exist_ok=True)
        for stale in libs.glob("*.jar"):  # another version's jars would shadow the new ones
            stale.unlink()
        command = maven_command(settings)
        log.info("Fetching the Kafka jars with Maven into %s", libs)
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError as e:
            raise BrokerError("Maven (mvn) is needed once to fetch the Kafka jars; install it") from e
        if done.returncode != 0 or not marker.exists():
            output = (done.stdout + done.stderr)[-4000:]
            raise BrokerError(f"fetching the Kafka jars failed: {' '.join(command)}\n{output}")
        return libs


def maven_command(settings: BrokerSettings) -> list[str]:
    """The Maven call that copies the broker's jars into `libs_dir`, caching under `maven_repo_dir`."""
    return [
        "mvn", "-q", "-B", "-f", str(DEPLOY_DIR / "pom.xml"),
        f"-Dmaven.repo.local={settings.maven_repo_dir}",
        "dependency:copy-dependencies", f"-DoutputDirectory={settings.libs_dir}",
    ]  # fmt: skip


def kafka_version() -> str:
    """The Kafka version the pom pins."""
    found = re.search(r"<kafka.version>([^<]+)</kafka.version>", (DEPLOY_DIR / "pom.xml").read_text())
    if found is None:
        raise BrokerError("deploy/kafka/pom.xml names no kafka.version")
    return found.group(1).strip()


def _render_properties(settings: BrokerSettings) -> Path:
    template = string.Template((DEPLOY_DIR / "server.properties.template").read_text())
    text = template.substitute(
        port=settings.port,
        controller_port=settings.controller_port,
        log_dirs=data_file(settings.data_dir, "kraft"),
    )
    target = data_file(settings.data_dir, "properties")
    target.write_text(text)
    return target


def _format_storage(settings: BrokerSettings, libs: Path, properties: Path) -> None:
    if (data_file(settings.data_dir, "kraft") / "meta.properties").exists():
        return
    id_file = data_file(settings.data_dir, "cluster_id")
    if not id_file.exists():
        # As `StorageTool random-uuid`: 16 random bytes, URL-safe base64, never starting with "-".
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        id_file.write_text(f"{cluster_id}\n")
    cluster_id = id_file.read_text().strip()
    command = [*_java_base("256m", libs), "kafka.tools.StorageTool", "format", "--standalone"]
    command += ["-t", cluster_id, "-c", str(properties)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BrokerError(f"formatting the Kafka storage failed:\n{(done.stdout + done.stderr)[-4000:]}")


def _java_base(heap: str, libs: Path) -> list[str]:
    return ["java", f"-Xmx{heap}", "-Djava.awt.headless=true", "-cp", f"{libs}/*"]


def _java_command(settings: BrokerSettings, libs: Path, properties: Path) -> list[str]:
    logging_flags = [
        f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.yaml'}",
        f"-Dkafka.logs.dir={data_file(settings.data_dir, 'log').parent}",
    ]
    gc_flags = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExplicitGCInvokesConcurrent"]
    java, *rest = _java_base(settings.heap, libs)
    return [java, *gc_flags, *logging_flags, *rest, "kafka.Kafka", str(properties)]


def _spawn(command: list[str], data_dir: Path) -> int:
    """Start `command` detached in `data_dir`: a shell in a new session backgrounds it and exits,
    so the broker is nobody's child here (no zombie to reap) and survives the caller."""
    script = 'out=$1; shift; "$@" >"$out" 2>&1 </dev/null & echo $!'
    done = subprocess.run(
        ["sh", "-c", script, "sh", str(data_file(data_dir, "out")), *command],
        capture_output=True, text=True, check=True, start_new_session=True, cwd=data_dir,
    )  # fmt: skip
    return int(done.stdout.strip())


def _await_ready(settings: BrokerSettings, pid: int, offset: int) -> None:
    server_log = data_file(settings.data_dir, "log")
    deadline = time.monotonic() + settings.start_timeout_s
    while time.monotonic() < deadline:
        if server_log.exists():
            with server_log.open("rb") as f:
                f.seek(offset if f.seek(0, os.SEEK_END) >= offset else 0)
                if READY_MARKER in f.read():
                    return
        if not _is_broker(pid, settings.data_dir):
            data_file(settings.data_dir, "pid").unlink(missing_ok=True)
            raise BrokerError(f"the Kafka broker exited while starting\n{_tails(settings.data_dir)}")
        time.sleep(_POLL_S)
    _terminate(settings.data_dir, pid, settings.stop_timeout_s)
    data_file(settings.data_dir, "pid").unlink(missing_ok=True)
    raise BrokerError(
        f"the Kafka broker was not ready within {settings.start_timeout_s:.0f} s and was stopped\n"
        f"{_tails(settings.data_dir)}"
    )


def _terminate(data_dir: Path, pid: int, timeout_s: float) -> None:
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _is_broker(pid, data_dir):
                return
            time.sleep(_POLL_S)
        log.warning("Kafka broker pid %d did not stop on %s", pid, sig.name)
    raise BrokerError(f"the Kafka broker (pid {pid}) could not be stopped")


def _running_pid(data_dir: Path) -> int | None:
    try:
        pid = int(data_file(data_dir, "pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_broker(pid, data_dir) else None


def _is_broker(pid: int, data_dir: Path) -> bool:
    """True while `pid` is a live (not zombie) `kafka.Kafka` of this data dir: a pid file may be
    stale and its pid reused by another process."""
    proc = Path("/proc") / str(pid)
    if not Path("/proc/self").exists():  # no procfs: trust the pid file
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        argv = (proc / "cmdline").read_bytes().split(b"\0")
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    properties = os.fsencode(data_file(data_dir, "properties"))
    return state != "Z" and b"kafka.Kafka" in argv and properties in argv


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _absolute(settings: BrokerSettings) -> BrokerSettings:
    """Absolute paths: the pid check compares the broker's command line, whatever the cwd."""
    paths = {name: getattr(settings, name).resolve() for name in ("data_dir", "libs_dir", "maven_repo_dir")}
    return settings.model_copy(update=paths)


def data_file(data_dir: Path, name: str) -> Path:
    """Where a file of the data dir layout lives (see the module docstring)."""
    return data_dir / _FILES[name]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise `up`, `down` and the jar fetch across processes (tests run side by side)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _tails(data_dir: Path, lines: int = 40) -> str:
    parts = []
    for name in ("log", "out"):
        path = data_file(data_dir, name)
        text = path.read_text(errors="replace") if path.exists() else "(no file)\n"
        parts.append(f"--- {path} (last {lines} lines) ---\n" + "".join(text.splitlines(True)[-lines:]))
    return "\n".join(parts)
