"""Composition root of the notifier process: one consumer thread, one worker per channel."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from consumers.notifier.channels import Senders
from consumers.notifier.consumer import AlertConsumer
from consumers.notifier.mail_client import MailClient
from consumers.notifier.routing import load_routing
from consumers.notifier.settings import NotifierSettings
from consumers.notifier.webhook_client import WebhookClient
from consumers.notifier.worker import ChannelWorker, Wakeup, gauge_loop, listen_loop
from signalhub.kafka import make_consumer
from signalhub.metrics import Metrics, serve
from signalhub.settings import Settings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.wake import DELIVERIES, Listener

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def run(
    settings: Settings, notifier: NotifierSettings, stop: threading.Event, metrics: Metrics | None = None
) -> None:
    """Consume alerts and deliver them until `stop` is set; closes every client on the way out."""
    routing = load_routing(notifier.routing_path)
    metrics = metrics or Metrics(process="notifier")
    server = (
        serve(metrics, notifier.metrics_port, host=settings.metrics_host) if notifier.metrics_port else None
    )
    # A worker and its lease keeper per channel, the consumer, the gauge.
    engine = make_engine(settings.db.url, pool_size=max(settings.db.pool_size, 2 * len(routing.channels) + 3))
    sessions = make_sessionmaker(engine)
    consumer = make_consumer(
        settings.kafka,
        notifier.group_id,
        [settings.kafka.alert_topic],
        client_id=f"{settings.kafka.client_id}-notifier",
        # The relay publishes in bursts (a batch per pass): the broker answers a fetch as soon as
        # a burst lands, instead of holding it up to 25 ms for 64 KiB that alerts never fill, and
        # an idle notifier sends two fetches a second instead of forty.
        fetch_min_bytes=1,
        fetch_max_wait_ms=500,
    )
    http = WebhookClient(timeout_s=notifier.http_timeout_s)
    mail = MailClient(notifier)
    wakeup = Wakeup()
    senders = Senders(notifier, http, mail, settings.region().zone)
    channels = sorted(routing.channels)
    threads = [
        threading.Thread(
            target=ChannelWorker(name, routing, sessions, senders, notifier, metrics, utcnow).run,
            args=(stop, wakeup),
            name=f"deliver-{name}",
            daemon=True,
        )
        for name in channels
    ]
    if engine.dialect.name == "postgresql":
        listener = Listener(settings.db.url, DELIVERIES, stop)
        threads.append(
            threading.Thread(target=listen_loop, args=(listener, wakeup, stop), name="listen", daemon=True)
        )
    threads.append(
        threading.Thread(
            target=gauge_loop,
            args=(sessions, metrics, channels, notifier.gauge_interval_s, stop),
            daemon=True,
        )
    )
    for thread in threads:
        thread.start()
    log.info("Notifier started: %d channels", len(channels))
    try:
        AlertConsumer(consumer, routing, sessions, metrics, utcnow, wakeup).run(stop)
    finally:
        stop.set()
        wakeup.notify()
        for thread in threads:
            thread.join(timeout=notifier.http_timeout_s + 5)
        consumer.close()
        http.close()
        mail.close()
        engine.dispose()
        if server is not None:
            server.shutdown()
        log.info("Notifier stopped")
