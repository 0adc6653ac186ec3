"""The local broker's data dir and its JVM process: spawn it detached, wait for it to serve, stop it.

`signalhub.broker` composes these into `up`, `down` and `status`; callers use that module (it
re-exports `BrokerError`, `READY_MARKER` and `data_file`).

Layout of `data_dir`: `server.properties` (rendered from the template), `kraft/` (log.dirs),
`logs/server.log` (the broker's log), `kafka.out` (JVM stdout/stderr), `kafka.pid`, `cluster.id`,
`.lock`, `tls/` (CA and broker certificate, `signalhub.broker_tls`), `admin.password` (the super
user's SCRAM password, made at format time) and `admin.env` (client settings of that user).

Contracts:
- A pid counts as the broker only while it is a live (not zombie) `kafka.Kafka` started with this
  data dir's `server.properties`: a stale pid file whose pid was reused is not mistaken for it.
- `terminate` sends SIGTERM, then SIGKILL after `timeout_s`; it raises `BrokerError` when even that
  does not stop the process.
- On failure `await_ready` removes the pid file and leaves no process behind.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from signalhub.settings import BrokerSettings

# One logger name for all of the local broker's messages, whichever module writes them.
log = logging.getLogger("signalhub.broker")

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
    "tls": "tls",
    "admin_password": "admin.password",
    "admin_env": "admin.env",
}


class BrokerError(RuntimeError):
    """The local broker could not be set up, started or stopped; the message says why."""


def data_file(data_dir: Path, name: str) -> Path:
    """Where a file of the data dir layout lives (see the module docstring)."""
    return data_dir / _FILES[name]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise `up`, `down` and the jar fetch across processes (tests run side by side)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def spawn(command: list[str], data_dir: Path) -> int:
    """Start `command` detached in `data_dir`: a shell in a new session backgrounds it and exits,
    so the broker is nobody's child here (no zombie to reap) and survives the caller."""
    script = 'out=$1; shift; "$@" >"$out" 2>&1 </dev/null & echo $!'
    done = subprocess.run(
        ["sh", "-c", script, "sh", str(data_file(data_dir, "out")), *command],
        capture_output=True, text=True, check=True, start_new_session=True, cwd=data_dir,
    )  # fmt: skip
    return int(done.stdout.strip())


def await_ready(settings: BrokerSettings, pid: int, offset: int) -> None:
    """Return once the server log, read from byte `offset`, says the broker started; raise
    `BrokerError` with the logs' tails if it exits first or `start_timeout_s` passes (then stop it)."""
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
    terminate(settings.data_dir, pid, settings.stop_timeout_s)
    data_file(settings.data_dir, "pid").unlink(missing_ok=True)
    raise BrokerError(
        f"the Kafka broker was not ready within {settings.start_timeout_s:.0f} s and was stopped\n"
        f"{_tails(settings.data_dir)}"
    )


def terminate(data_dir: Path, pid: int, timeout_s: float) -> None:
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


def running_pid(data_dir: Path) -> int | None:
    """The pid of the pid file when it is this data dir's broker, running; else None."""
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


def port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tails(data_dir: Path, lines: int = 40) -> str:
    parts = []
    for name in ("log", "out"):
        path = data_file(data_dir, name)
        text = path.read_text(errors="replace") if path.exists() else "(no file)\n"
        parts.append(f"--- {path} (last {lines} lines) ---\n" + "".join(text.splitlines(True)[-lines:]))
    return "\n".join(parts)


def absolute(settings: BrokerSettings) -> BrokerSettings:
    """Absolute paths: the pid check compares the broker's command line, whatever the cwd."""
    paths = {name: getattr(settings, name).resolve() for name in ("data_dir", "libs_dir", "maven_repo_dir")}
    return settings.model_copy(update=paths)
