"""A database that goes away is a transient fault: the batch is read again after a backoff and
never dead-lettered. The fault is real: PostgreSQL is reached through a TCP proxy that the test
closes (connections cut, port refusing) and then opens again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from signalhub.kafka import make_consumer
from signalhub.settings import KafkaSettings
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import make_family, make_signal, publish, wait_for
from tests.fixtures.proxy import Proxy

pytestmark = pytest.mark.integration


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
