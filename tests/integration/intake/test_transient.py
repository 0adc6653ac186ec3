"""A database that goes away is a transient fault: the batch is read again after a backoff and
never dead-lettered. The fault is real: PostgreSQL is reached through a TCP proxy that the test
closes (connections cut, port refusing) and then opens again."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import make_family, make_signal, publish, wait_for

pytestmark = pytest.mark.integration


class Proxy:
    """127.0.0.1:<port> -> target; `close()` cuts every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.conns = target, []  # type: tuple[str, int], list[socket.socket]
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.server: socket.socket | None = None

    def open(self) -> None:
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port))
        self.server.listen()
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        with suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        for s in (a, b):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self.server is not None:
            with suppress(OSError):
                self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.server.close()
        for s in self.conns:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.conns = []


def test_database_outage_is_retried_not_dead_lettered(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    migrate.upgrade(fresh_pg_url)
    real = make_url(fresh_pg_url)
    proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.open()
    via_proxy = real.set(port=proxy.port).render_as_string(hide_password=False)
    runner = intake_thread(via_proxy)
    publish(kafka_settings, [make_signal(make_family(5), "police")])
    wait_for(lambda: _count(fresh_pg_url) == 1, 60, "the first signal")

    proxy.close()  # the database is unreachable now
    publish(kafka_settings, [make_signal(make_family(6), "health"), make_signal(make_family(7), "social")])
    wait_for(
        lambda: (
            runner.error is not None or runner.metrics.transient_errors.labels("database")._value.get() >= 2
        ),
        60,
        "retries",
    )
    assert runner.error is None, repr(runner.error)
    assert _count(fresh_pg_url) == 1
    proxy.open()
    wait_for(lambda: _count(fresh_pg_url) == 3, 60, "the signals after the outage")
    assert runner.error is None
    consumer = make_consumer(kafka_settings, None, [kafka_settings.dlq_topic], consumer_timeout_ms=2000)
    assert list(consumer) == []
    consumer.close()
    proxy.close()


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM inbox")).scalar_one())
    finally:
        engine.dispose()
