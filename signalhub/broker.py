"""The local Apache Kafka broker, one node or a loopback cluster: `up`, `down`, `status`.

Contracts:
- `up` is idempotent: when the broker of this data dir already runs it says so and starts nothing.
  It returns only once the broker's log says "Kafka Server started", or raises `BrokerError`
  with the tail of the log (and leaves no half-started process behind).
- Data survive restarts: storage is formatted once, with a cluster id kept in `cluster.id`.
- `BrokerSettings.nodes` > 1 runs a KRaft cluster of that many nodes on loopback
  (`signalhub.broker_nodes`: each node's files and ports, replication 3, min.insync.replicas 2);
  `up` starts whichever nodes do not run, `down` stops them all.
- The broker runs detached (own session) and outlives the command that started it; `down` stops
  it by pid (SIGTERM, then SIGKILL after `stop_timeout_s`). Only `data_dir` is needed to stop it.
- The jars come from Maven Central through `deploy/kafka/pom.xml` into `libs_dir`, fetched once.
- It is secured from its first start (see `deploy/kafka/server.properties.template`): clients speak
  SASL_SSL with SCRAM-SHA-512 to a certificate of the data dir's own CA (`signalhub.broker_tls`),
  ACLs authorise every request, and the super user `admin` is created when storage is formatted,
  with `admin_password` or a random one kept in `admin.password`. `admin.env` holds the client
  settings of that user (`SIGNALHUB_KAFKA_*`), for `topics create`, `agencies` and `roles`.

The controller port is recorded in the metadata log at format time: to change ports, use a fresh
data dir.

This module holds the public API and what the broker runs (its properties, storage format and
command line). `signalhub.kafka_libs` fetches the jars; `signalhub.broker_process` holds the layout
of `data_dir` and the process lifecycle. Callers import from here: their public names (`BrokerError`,
`data_file`, `ensure_libs`, ...) are re-exported.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import secrets
import shutil
import signal
import string
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from signalhub import broker_nodes, local_ports
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
from signalhub.broker_tls import BROKER_PRINCIPAL, ca_file, ensure_tls
from signalhub.kafka_libs import DEPLOY_DIR, ensure_libs, kafka_version, maven_command
from signalhub.settings import BrokerSettings, KafkaSettings

__all__ = [
    "DEPLOY_DIR",
    "READY_MARKER",
    "BrokerError",
    "BrokerState",
    "StartResult",
    "admin_settings",
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
    pids: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class StartResult:
    already_running: bool
    pid: int
    seconds: float


def bootstrap_servers(settings: BrokerSettings) -> str:
    """Every node's client listener, comma-separated."""
    return broker_nodes.bootstrap_servers(settings)


def admin_settings(settings: BrokerSettings) -> KafkaSettings:
    """Client settings of the broker's super user `admin` (once the broker has been formatted)."""
    settings = absolute(settings)
    return KafkaSettings(
        bootstrap_servers=bootstrap_servers(settings),
        username="admin",
        password=_admin_password(settings),
        ca_file=ca_file(data_file(settings.data_dir, "tls")),
        replication_factor=broker_nodes.replication_factor(settings),
    )


def status(settings: BrokerSettings) -> BrokerState:
    """Running when every node runs; `pid` is the first node's, `pids` each node's (None: down)."""
    settings = absolute(settings)
    pids = tuple(running_pid(node.data_dir) for node in broker_nodes.nodes(settings))
    running = all(pid is not None for pid in pids)
    return BrokerState(running, pids[0], bootstrap_servers(settings), settings.data_dir, pids)


def up(settings: BrokerSettings) -> StartResult:
    """Start the nodes of `settings.data_dir` that do not run; wait until each serves clients.

    A cluster's nodes are all spawned before any is awaited: a node is ready only once a quorum
    of controllers runs. After one node was killed, `up` starts just that one again.
    """
    settings = absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with locked(data_file(settings.data_dir, "lock")):
        try:
            broker_nodes.record(settings)
        except ValueError as e:
            raise BrokerError(str(e)) from None
        all_nodes = broker_nodes.nodes(settings)
        pending = [node for node in all_nodes if running_pid(node.data_dir) is None]
        if not pending:
            return StartResult(already_running=True, pid=_first_pid(settings), seconds=0.0)
        for port in (p for node in pending for p in (node.port, node.controller_port)):
            if local_ports.ephemeral(port):
                low, high = local_ports.ephemeral_range()
                raise BrokerError(
                    f"SIGNALHUB_BROKER_PORT / SIGNALHUB_BROKER_CONTROLLER_PORT: port {port} is in the kernel's"
                    f" ephemeral port range {low}-{high}, which a client reconnecting to a stopped broker"
                    f" may be given, and the broker could not start again; choose ports below {low}"
                    " (or reserve them in net.ipv4.ip_local_reserved_ports)"
                )
            if port_taken(port):
                raise BrokerError(f"port {port} on 127.0.0.1 is already in use by another process")
        if shutil.which("java") is None:
            raise BrokerError("java not found: Kafka 4 needs Java 17 or newer")
        started = time.monotonic()
        libs = ensure_libs(settings)
        ensure_tls(data_file(settings.data_dir, "tls"), settings.tls_hosts)
        spawned = []
        for node in pending:
            node.data_dir.mkdir(parents=True, exist_ok=True)
            properties = _render_properties(settings, node)
            _format_storage(settings, node, libs, properties)
            server_log = data_file(node.data_dir, "log")
            offset = server_log.stat().st_size if server_log.exists() else 0
            pid = spawn(_java_command(settings, node, libs, properties), node.data_dir)
            data_file(node.data_dir, "pid").write_text(f"{pid}\n")
            spawned.append((node, pid, offset))
        _write_admin_env(settings)
        for node, pid, offset in spawned:
            await_ready(broker_nodes.of_node(settings, node), pid, offset)
        seconds = time.monotonic() - started
        log.info("Kafka broker started on %s in %.1f s", bootstrap_servers(settings), seconds)
        return StartResult(already_running=False, pid=_first_pid(settings), seconds=seconds)


def down(settings: BrokerSettings) -> bool:
    """Stop every node of `settings.data_dir`; False when none was running. Data are kept.

    All nodes are asked at once: a cluster's last nodes would otherwise wait for a quorum that
    the first ones took away."""
    settings = absolute(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with locked(data_file(settings.data_dir, "lock")):
        running = [(node, running_pid(node.data_dir)) for node in broker_nodes.nodes(settings)]
        for _node, pid in running:
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
        for node, pid in running:
            if pid is not None:
                terminate(node.data_dir, pid, settings.stop_timeout_s)
            data_file(node.data_dir, "pid").unlink(missing_ok=True)
        return any(pid is not None for _node, pid in running)


def _first_pid(settings: BrokerSettings) -> int:
    return running_pid(broker_nodes.nodes(settings)[0].data_dir) or 0


def _render_properties(settings: BrokerSettings, node: broker_nodes.Node) -> Path:
    template = string.Template((DEPLOY_DIR / "server.properties.template").read_text())
    text = template.substitute(
        node_id=node.node_id,
        quorum=broker_nodes.quorum(settings),
        port=node.port,
        controller_port=node.controller_port,
        log_dirs=data_file(node.data_dir, "kraft"),
        tls_dir=data_file(settings.data_dir, "tls"),
        admin_password=_admin_password(settings),
        broker_principal=BROKER_PRINCIPAL,
        replication=broker_nodes.replication_factor(settings),
        min_isr=broker_nodes.min_insync_replicas(settings),
    )
    target = data_file(node.data_dir, "properties")
    _write_private(target, text)
    return target


def _admin_password(settings: BrokerSettings) -> str:
    """`admin_password` when set, else the data dir's own, made once (it must not change after
    the storage is formatted: the credential lives in the metadata log)."""
    path = data_file(settings.data_dir, "admin_password")
    if path.exists():
        return path.read_text().strip()
    if any(
        (data_file(n.data_dir, "kraft") / "meta.properties").exists() for n in broker_nodes.nodes(settings)
    ):
        raise BrokerError(
            f"{settings.data_dir} was formatted without a SCRAM super user (before the broker was "
            "secured): stop it and remove the data dir (make clean-var) to start afresh"
        )
    password = settings.admin_password.get_secret_value() if settings.admin_password else ""
    password = password or secrets.token_urlsafe(24)
    _write_private(path, f"{password}\n")
    return password


def _write_admin_env(settings: BrokerSettings) -> None:
    admin = admin_settings(settings)
    lines = [
        f"SIGNALHUB_KAFKA_BOOTSTRAP_SERVERS={admin.bootstrap_servers}",
        f"SIGNALHUB_KAFKA_USERNAME={admin.username}",
        f"SIGNALHUB_KAFKA_PASSWORD={admin.password.get_secret_value()}",
        f"SIGNALHUB_KAFKA_CA_FILE={admin.ca_file}",
    ]
    _write_private(data_file(settings.data_dir, "admin_env"), "\n".join(lines) + "\n")


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds a password)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _format_storage(settings: BrokerSettings, node: broker_nodes.Node, libs: Path, properties: Path) -> None:
    if (data_file(node.data_dir, "kraft") / "meta.properties").exists():
        return
    id_file = data_file(settings.data_dir, "cluster_id")
    if not id_file.exists():
        # As `StorageTool random-uuid`: 16 random bytes, URL-safe base64, never starting with "-".
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        id_file.write_text(f"{cluster_id}\n")
    cluster_id = id_file.read_text().strip()
    # One node: a dynamic quorum of itself; a cluster: the static quorum of its properties.
    command = [*_java_base("256m", libs), "kafka.tools.StorageTool", "format"]
    command += ["--standalone"] if settings.nodes == 1 else []
    command += ["-t", cluster_id, "-c", str(properties)]
    # The super user's SCRAM credential goes into the bootstrap metadata: the broker needs it for
    # its own inter-broker connections, and it creates every other credential and ACL.
    command += ["--add-scram", f"SCRAM-SHA-512=[name=admin,password={_admin_password(settings)}]"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BrokerError(f"formatting the Kafka storage failed:\n{(done.stdout + done.stderr)[-4000:]}")


def _java_base(heap: str, libs: Path) -> list[str]:
    return ["java", f"-Xmx{heap}", "-Djava.awt.headless=true", "-cp", f"{libs}/*"]


def _java_command(
    settings: BrokerSettings, node: broker_nodes.Node, libs: Path, properties: Path
) -> list[str]:
    logging_flags = [
        f"-Dlog4j2.configurationFile={DEPLOY_DIR / 'log4j2.yaml'}",
        f"-Dkafka.logs.dir={data_file(node.data_dir, 'log').parent}",
    ]
    gc_flags = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExplicitGCInvokesConcurrent"]
    java, *rest = _java_base(settings.heap, libs)
    return [java, *gc_flags, *logging_flags, *rest, "kafka.Kafka", str(properties)]
