"""Composition root of the relay process: engine, sessions, producer, metrics; nothing at import."""

from __future__ import annotations

import logging
import threading

from consumers.relay.relay import Relay
from consumers.relay.settings import RelaySettings
from signalhub.kafka import make_producer
from signalhub.metrics import Metrics, serve
from signalhub.settings import Settings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.wake import OUTBOX, Listener

log = logging.getLogger(__name__)


def run(settings: Settings, relay_settings: RelaySettings, stop: threading.Event) -> None:
    """Run one relay until `stop` is set; flushes and closes the producer on the way out."""
    engine = make_engine(settings.db.url, pool_size=settings.db.pool_size)
    metrics = Metrics(process="relay")
    server = (
        serve(metrics, relay_settings.metrics_port, host=settings.metrics_host)
        if relay_settings.metrics_port
        else None
    )
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-relay")
    relay = Relay(
        make_sessionmaker(engine),
        producer,
        relay_settings,
        metrics,
        skip_locked=engine.dialect.name == "postgresql",
    )
    log.info(
        "Relay started (batch %d, poll %.3f s)", relay_settings.batch_size, relay_settings.poll_interval_s
    )
    listener = Listener(settings.db.url, OUTBOX, stop)
    try:
        relay.run(stop, listener)
    finally:
        listener.close()
        producer.flush(timeout=relay_settings.send_timeout_s)
        producer.close()
        engine.dispose()
        if server is not None:
            server.shutdown()
        log.info("Relay stopped")
