"""Composition root of an intake process: builds the engine, Kafka clients and metrics from the
settings it is given, runs the loop until SIGTERM/SIGINT (or `stop`), then closes everything.

It migrates nothing: `signalhub db upgrade` prepares the database beforehand.
"""

from __future__ import annotations

import gc
import logging
import threading

from consumers.intake.loop import IntakeLoop
from consumers.intake.unit import IntakeConfig
from signalhub.domain.linkage.config import default_config
from signalhub.kafka import make_consumer, make_producer
from signalhub.metrics import Metrics, serve
from signalhub.settings import AGENCIES, Settings
from signalhub.shutdown import stop_on_signals
from signalhub.store.base import make_engine

__all__ = ["DEFAULT_GROUP", "run", "tune_gc"]

# The `intake` principal may use consumer groups named `intake*` only (signalhub.kafka_access).
DEFAULT_GROUP = "intake"
log = logging.getLogger(__name__)


def tune_gc() -> None:
    """Collect cycles rarely: a batch allocates hundreds of thousands of objects that live until
    its end and that reference counting frees then, while the linkage caches keep a large, stable
    heap that every full collection would walk again (a quarter of intake's time with Python's
    default thresholds). A young collection every 400 000 allocations, not 50 000, lets most of a
    batch's objects die before any collection walks them: 0.23 s of collections instead of 1.36 s
    in 10 000 signals (`benchmarks/intake_throughput.py`, 2 A/B pairs), ~0.1 ms per signal."""
    gc.set_threshold(400_000, 20, 100)


def run(
    settings: Settings,
    *,
    group: str = DEFAULT_GROUP,
    batch_size: int = 500,
    metrics_port: int | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run one intake process (blocks). Signals set `stop`; the batch in hand is finished first."""
    stop = stop or threading.Event()
    tune_gc()
    if threading.current_thread() is threading.main_thread():
        stop_on_signals(stop)
    kafka = settings.kafka
    metrics = Metrics(process="intake")
    engine = make_engine(settings.db.url, pool_size=settings.db.pool_size)
    topics = [kafka.signal_topic(a) for a in AGENCIES]
    # A fetch response is bounded by the settings (`fetch_max_bytes`): so is a lagging intake's memory.
    consumer = make_consumer(kafka, group, topics, max_poll_records=batch_size)
    producer = make_producer(kafka)
    config = IntakeConfig(
        kafka=kafka,
        region_code=settings.region_code,
        linkage=default_config(),
        deadlines=settings.ack_deadlines(),
        max_signal_age=settings.signal_rules().max_age,
    )
    loop = IntakeLoop(consumer, producer, engine, config, metrics, group, batch_size)
    server = (
        serve(metrics, metrics_port, host=settings.metrics_host, ready=lambda: loop.ready)
        if metrics_port
        else None
    )
    log.info("Intake started: group %s, %d topics, batches of %d", group, len(topics), batch_size)
    try:
        loop.run(stop)
    finally:
        consumer.close(autocommit=False)
        producer.flush()
        producer.close()
        engine.dispose()
        if server is not None:
            server.shutdown()
        log.info("Intake stopped")
