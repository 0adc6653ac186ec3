"""Wake on work, not on a timer: PostgreSQL `NOTIFY` from the transaction that commits the work,
`LISTEN` in the process that does it.

Writers call `notify(conn, channel)` inside their transaction; PostgreSQL delivers the
notification only if and when that transaction commits (and folds repeats within one
transaction into one). A `Listener` holds one autocommit connection of its own listening on the
channel; `wait(timeout)` returns as soon as a notification arrives (or one arrived since the last
wait: they queue on the connection, so none is missed between a poll and the next wait) and after
`timeout` otherwise. Polling stays the fallback: on SQLite, and while the listening connection is
down (it reconnects on the next wait), `wait` just sleeps for the poll interval.
"""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

__all__ = ["DELIVERIES", "OUTBOX", "Listener", "notify"]

log = logging.getLogger(__name__)

OUTBOX = "signalhub_outbox"
DELIVERIES = "signalhub_deliveries"

_NOTIFY = text("SELECT pg_notify(:channel, '')")


def notify(conn: Connection, channel: str) -> None:
    """Wake the listeners of `channel` when the caller's transaction commits (nothing on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_NOTIFY, {"channel": channel})


class Listener:
    """Waits for `channel`'s notifications on a connection of its own (PostgreSQL), else sleeps."""

    def __init__(self, url: str, channel: str, stop: threading.Event) -> None:
        self._stop = stop
        self._channel = channel
        parsed = make_url(url)
        self._conninfo = (
            parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            if parsed.get_backend_name() == "postgresql"
            else None
        )
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None

    @property
    def listening(self) -> bool:
        """True once the connection listens (try `connect` first): waits end on notifications."""
        return self._conn is not None and not self._conn.closed

    def connect(self) -> bool:
        """Open the listening connection if there is none; False on SQLite or when it fails."""
        if self._conninfo is None:
            return False
        if self.listening:
            return True
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
            conn.execute(f'LISTEN "{self._channel}"'.encode())
        except psycopg.Error as e:
            log.warning("LISTEN %s failed (%s); polling until it works", self._channel, type(e).__name__)
            return False
        self._conn = conn
        return True

    def wait(self, timeout: float) -> bool:
        """Until a notification (True), `timeout` seconds or `stop` (False, noticed within 0.5 s)."""
        if self._stop.is_set():
            return False
        if not self.connect() or self._conn is None:
            self._stop.wait(timeout)
            return False
        deadline = time.monotonic() + timeout
        try:
            woken = False
            while not woken and not self._stop.is_set() and (left := deadline - time.monotonic()) > 0:
                # In slices, so that `stop` is noticed within half a second.
                woken = any(True for _ in self._conn.notifies(timeout=min(left, 0.5), stop_after=1))
            # Drain what else queued meanwhile: one pass of the caller serves them all.
            while woken and any(True for _ in self._conn.notifies(timeout=0, stop_after=1)):
                pass
        except psycopg.Error as e:
            log.warning("Listening on %s failed (%s); reconnecting", self._channel, type(e).__name__)
            self.close()
            self._stop.wait(min(timeout, 1.0))
            return False
        return woken

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
