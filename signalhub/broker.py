"""The local single-node Apache Kafka broker: `up`, `down`, `status` (development, tests, demo).

Contracts:
- `up` is idempotent: when the broker of this data dir already runs it says so and starts nothing.
  It returns only once the broker's log says "Kafka Server started", or raises `BrokerError`
  with the tail of the log (and leaves no half-started process behind).
- Data survive restarts: storage is formatted once, with a cluster id kept in `cluster.id`.
- The broker runs detached (own session) and outlives the command that started it; `down` stops
  it by pid (SIGTERM, then SIGKILL after `stop_timeout_s`). Only `data_dir` is needed to stop it.
- The jars come from Maven Central through `deploy/kafka/pom.xml` into `libs_dir`, fetched once.

The controller port is recorded in the metadata log at format time: to change ports, use a fresh
data dir.

This module holds the public API and what the broker runs (its properties, storage format and
command line). `signalhub.kafka_libs` fetches the jars; `signalhub.broker_process` holds the layout
of `data_dir` and the process lifecycle. Callers import from here: their public names (`BrokerError`,
`data_file`, `ensure_libs`, ...) are re-exported.
"""

from __future__ import annotations

import base64
import logging
import shutil
import string
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from signalhub.broker_process import (
    READY_MARKER,
    BrokerError,
    absolute,
    await_ready,
    data_file,
    locked,
    port_taken,
    running_pid,
    spawn,
    terminate,
)
from signalhub.kafka_libs import DEPLOY_DIR, ensure_libs, kafka_version, maven_command
from signalhub.settings import BrokerSettings

__all__ = [
    "DEPLOY_DIR",
    "READY_MARKER",
    "BrokerError",
    "BrokerState",
    "StartResult",
    "bootstrap_servers",
    "data_file",
    "down",
    "ensure_libs",
    "kafka_version",
    "maven_command",
    "status",
    "up",
]

log = logging.getLogger(__name__)


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
    settings = absolute(settings)
    pid = running_pid(settings.data_dir)
    return BrokerState(pid is not None, pid, bootstrap_servers(settings), settings.data_dir)


def up(settings: BrokerSettings) -> StartResult:
    """Start the broker of `settings.data_dir` unless it runs; wait until it serves clients."""
    settings = absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with locked(data_file(settings.data_dir, "lock")):
        pid = running_pid(settings.data_dir)
        if pid is not None:
            return StartResult(already_running=True, pid=pid, seconds=0.0)
        for port in (settings.port, settings.controller_port):
            if port_taken(port):
                raise BrokerError(f"port {port} on 127.0.0.1 is already in use by another process")
        if shutil.which("java") is None:
            raise BrokerError("java not found: Kafka 4 needs Java 17 or newer")
        started = time.monotonic()
        libs = ensure_libs(settings)
        properties = _render_properties(settings)
        _format_storage(settings, libs, properties)
        server_log = data_file(settings.data_dir, "log")
        offset = server_log.stat().st_size if server_log.exists() else 0
        pid = spawn(_java_command(settings, libs, properties), settings.data_dir)
        data_file(settings.data_dir, "pid").write_text(f"{pid}\n")
        await_ready(settings, pid, offset)
        seconds = time.monotonic() - started
        log.info("Kafka broker started on %s in %.1f s", bootstrap_servers(settings), seconds)
        return StartResult(already_running=False, pid=pid, seconds=seconds)


def down(settings: BrokerSettings) -> bool:
    """Stop the broker of `settings.data_dir`; False when none was running. Data are kept."""
    settings = absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with locked(data_file(settings.data_dir, "lock")):
        pid = running_pid(settings.data_dir)
        if pid is not None:
            terminate(settings.data_dir, pid, settings.stop_timeout_s)
        data_file(settings.data_dir, "pid").unlink(missing_ok=True)
        return pid is not None


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
