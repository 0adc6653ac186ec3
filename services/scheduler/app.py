"""Composition root of the scheduler process."""

from __future__ import annotations

import threading
from datetime import datetime

from services.scheduler.scheduler import Scheduler, TickReport, utcnow
from services.scheduler.settings import SchedulerSettings
from signalhub.metrics import Metrics, serve
from signalhub.settings import Settings
from signalhub.store.base import make_engine, make_sessionmaker


def tick(settings: Settings, scheduler: SchedulerSettings, now: datetime | None = None) -> TickReport:
    """One pass at `now` (default: the wall clock)."""
    engine = make_engine(settings.db.url)
    try:
        return Scheduler(
            make_sessionmaker(engine),
            scheduler,
            settings.kafka.alert_topic,
            Metrics(process="scheduler"),
            zone=settings.region().zone,
        ).tick(now or utcnow())
    finally:
        engine.dispose()


def run(settings: Settings, scheduler: SchedulerSettings, stop: threading.Event) -> None:
    metrics = Metrics(process="scheduler")
    server = (
        serve(metrics, scheduler.metrics_port, host=settings.metrics_host) if scheduler.metrics_port else None
    )
    engine = make_engine(settings.db.url)
    try:
        Scheduler(
            make_sessionmaker(engine),
            scheduler,
            settings.kafka.alert_topic,
            metrics,
            zone=settings.region().zone,
        ).run(stop)
    finally:
        engine.dispose()
        if server is not None:
            server.shutdown()
