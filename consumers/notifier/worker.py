"""Delivery workers: one loop per channel sends what is due, so a dead channel delays no other.

A claimed batch holds at most one row per case, so its rows are sent side by side
(`send_concurrency` at a time): the batch takes about one receiver round trip, not one per alert,
while each case still gets its alerts in order. The batch's outcomes are committed after its
attempts; while it is sent its lease is renewed (`lease.LeaseKeeper`), and a worker killed
mid-send leaves the rows leased: they are sent again when the short lease ends (at least once).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from consumers.notifier import deliveries
from consumers.notifier.channels import DeliveryError, Senders
from consumers.notifier.lease import LeaseKeeper
from consumers.notifier.message import instant
from consumers.notifier.routing import Routing
from consumers.notifier.settings import NotifierSettings
from signalhub.metrics import Metrics
from signalhub.store.wake import Listener

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Wakeup:
    """Lets the consumer (and `listen_loop`: other processes' NOTIFY) wake the workers as soon as
    new deliveries are committed. `pushed` is True while a LISTEN connection feeds it, so the
    workers' timed polls are only a fallback and may be far apart. A wake-up is not lost while a
    worker is busy: it takes `mark()` before a pass and waits `since` it, so a notify during the
    pass ends the wait at once."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0
        self.pushed = False

    def notify(self) -> None:
        with self._cond:
            self._count += 1
            self._cond.notify_all()

    def mark(self) -> int:
        with self._cond:
            return self._count

    def wait(self, timeout: float, since: int | None = None) -> None:
        """Until the next notify (or one after `since`), at most `timeout` seconds."""
        with self._cond:
            seen = self._count if since is None else since
            self._cond.wait_for(lambda: self._count != seen, timeout)


class ChannelWorker:
    """Sends the due deliveries of one channel; `run_once` is one batch."""

    def __init__(
        self,
        channel: str,
        routing: Routing,
        sessions: sessionmaker[Session],
        senders: Senders,
        settings: NotifierSettings,
        metrics: Metrics,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.channel = channel
        self._target = routing.channels[channel]
        self._sessions = sessions
        self._senders = senders
        self._settings = settings
        self._metrics = metrics
        self._clock = clock
        self._rng = rng or random.Random()
        self._backoff = deliveries.Backoff(
            settings.backoff_base_s, settings.backoff_max_s, settings.max_attempts
        )
        self._pool = (
            ThreadPoolExecutor(settings.send_concurrency, thread_name_prefix=f"send-{channel}")
            if settings.send_concurrency > 1
            else None
        )

    def run_once(self) -> int:
        """Attempt one batch of due deliveries (at most one per case, so order holds), then record
        every outcome in one transaction; returns how many were attempted. A crash between the
        sends and that commit sends the batch again when its lease ends (at least once); the lease
        is renewed while the batch is sent."""
        s = self._settings
        lease = timedelta(seconds=s.lease_s)
        with self._sessions() as session, session.begin():
            rows = deliveries.claim(session, self.channel, self._clock(), s.batch_size, lease)
        if not rows:
            return 0
        sent: list[deliveries.Claimed] = []
        errors: list[tuple[deliveries.Claimed, DeliveryError]] = []
        with LeaseKeeper(self._sessions, [row.id for row in rows], lease, self._clock):
            outcomes = (
                self._pool.map(self._attempt, rows)
                if self._pool and len(rows) > 1
                else map(self._attempt, rows)
            )
            for row, failure in zip(rows, outcomes, strict=True):
                if failure is None:
                    sent.append(row)
                else:
                    errors.append((row, failure))
        now = self._clock()
        with self._sessions() as session, session.begin():
            deliveries.delivered(session, [row.id for row in sent], now)
            parked = [
                deliveries.failed(session, row, error.reason, retriable=error.retriable, now=now,
                                  backoff=self._backoff, rng=self._rng)
                for row, error in errors
            ]  # fmt: skip
        self._observe(sent, now)
        for (row, error), was_parked in zip(errors, parked, strict=True):
            outcome = "parked" if was_parked else "failed"
            self._metrics.deliveries.labels(channel=self.channel, outcome=outcome).inc()
            log.warning(
                "Delivery to %s failed (%s), attempt %d, %s",
                self.channel,
                error.reason,
                row.attempts + 1,
                outcome,
            )
        return len(rows)

    def _attempt(self, row: deliveries.Claimed) -> DeliveryError | None:
        try:
            self._senders.send(self._target, row.alert)
        except DeliveryError as failure:
            return failure
        return None

    def _observe(self, sent: list[deliveries.Claimed], now: datetime) -> None:
        for row in sent:
            self._metrics.deliveries.labels(channel=self.channel, outcome="delivered").inc()
            created = instant(row.alert, "created_at")
            if created is not None:
                self._metrics.signal_to_delivery.labels(channel=self.channel).observe(
                    max((now - created).total_seconds(), 0.0)
                )

    def run(self, stop: threading.Event, wakeup: Wakeup) -> None:
        try:
            self._loop(stop, wakeup)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

    def _loop(self, stop: threading.Event, wakeup: Wakeup) -> None:
        while not stop.is_set():
            seen = wakeup.mark()
            try:
                attempted = self.run_once()
            except SQLAlchemyError as e:
                self._metrics.transient_errors.labels(component="notifier").inc()
                log.warning("Delivery worker %s: database error %s, retrying", self.channel, type(e).__name__)
                stop.wait(1.0)
                continue
            if not attempted:  # else claim again at once: a case's next alert is due only now
                s = self._settings
                wakeup.wait(s.listen_poll_interval_s if wakeup.pushed else s.poll_interval_s, seen)


def listen_loop(listener: Listener, wakeup: Wakeup, stop: threading.Event) -> None:
    """Pass every NOTIFY of new or requeued deliveries on to the workers (PostgreSQL only)."""
    while not stop.is_set():
        wakeup.pushed = listener.connect()
        if listener.wait(1.0):
            wakeup.notify()
    listener.close()


def update_parked_gauge(sessions: sessionmaker[Session], metrics: Metrics, channels: list[str]) -> None:
    """Park what no configured channel will send, then count the parked rows per channel."""
    with sessions() as session, session.begin():
        unrouted = deliveries.park_unrouted(session, channels)
        counts = deliveries.parked_counts(session)
    if unrouted:
        log.warning("%d pending deliveries of channels not in the routing file were parked", unrouted)
    for channel in set(channels) | set(counts):
        metrics.parked_alerts.labels(channel=channel).set(counts.get(channel, 0))


def gauge_loop(
    sessions: sessionmaker[Session],
    metrics: Metrics,
    channels: list[str],
    interval_s: float,
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            update_parked_gauge(sessions, metrics, channels)
        except SQLAlchemyError:
            metrics.transient_errors.labels(component="notifier").inc()
        stop.wait(max(interval_s - (time.monotonic() - started), 0.05))
