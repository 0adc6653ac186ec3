"""One relay loop: claim pending outbox rows, send them, mark them published once acknowledged.

Contract: a row is marked published only in the transaction that holds its lock, after the
broker acknowledged the record (idempotent producer, `acks='all'`). A crash anywhere before that
commit leaves the row pending, so it is sent again: at least once, never lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from consumers.relay import outbox_queries as outbox
from consumers.relay.settings import RelaySettings
from schemas.cloudevents import CloudEvent, to_headers
from schemas.codec import Codec
from schemas.errors import SerializationError
from signalhub.metrics import Metrics
from signalhub.store.wake import Listener

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Relay:
    """Publishes the outbox; `run_once` is one batch, `run` loops until `stop` is set."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        producer: KafkaProducer,
        settings: RelaySettings,
        metrics: Metrics,
        *,
        skip_locked: bool,
        clock: Clock = utcnow,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._settings = settings
        self._metrics = metrics
        self._skip_locked = skip_locked
        self._clock = clock
        self._codecs: dict[str, Codec] = {}

    def run_once(self) -> int:
        """Publish one batch; returns how many rows were marked published."""
        with self._sessions() as session, session.begin():
            rows = outbox.claim(session, self._settings.batch_size, skip_locked=self._skip_locked)
            if not rows:
                return 0
            sent = [(row, future) for row in rows if (future := self._send(row)) is not None]
            self._producer.flush(timeout=self._settings.send_timeout_s)
            acked = [row for row, future in sent if future.succeeded()]
            outbox.mark_published(session, [row.id for row in acked], self._clock())
        for row in acked:
            self._metrics.outbox_published.labels(contract=row.contract).inc()
        if len(acked) < len(rows):
            log.warning(
                "Relay batch: %d of %d rows not acknowledged, will retry", len(rows) - len(acked), len(rows)
            )
        return len(acked)

    def _send(self, row: Row[Any]) -> Any:
        try:
            # Stored ready to send (`signalhub.domain.outbound`): the Avro record, times in epoch ms.
            value = self._codec(row.contract).encode(row.payload)
        except (SerializationError, KeyError) as e:
            # Field names only (never values): a writer broke the contract; the row stays pending.
            log.error("Outbox row %s (%s) cannot be encoded: %s", row.message_id, row.contract, e)
            return None
        event = CloudEvent(
            id=row.message_id, source=self._settings.source, type=row.ce_type, time=row.created_at
        )
        return self._producer.send(row.topic, key=row.key.encode(), value=value, headers=to_headers(event))

    def _codec(self, contract: str) -> Codec:
        if contract not in self._codecs:
            self._codecs[contract] = Codec(contract)
        return self._codecs[contract]

    def update_pending_gauge(self) -> None:
        with self._sessions() as session:
            self._metrics.outbox_pending.set(outbox.pending_count(session))

    def run(self, stop: threading.Event, listener: Listener | None = None) -> None:
        """Loop until `stop`: full batches back to back; when the outbox is drained, wait for a
        writer's NOTIFY (`listener`, PostgreSQL) or the poll interval."""
        last_gauge = 0.0
        while not stop.is_set():
            try:
                published = self.run_once()
                if time.monotonic() - last_gauge >= self._settings.pending_gauge_interval_s:
                    self.update_pending_gauge()
                    last_gauge = time.monotonic()
            except (SQLAlchemyError, KafkaError) as e:
                self._metrics.transient_errors.labels(component="relay").inc()
                log.warning("Relay pass failed, retrying: %s", type(e).__name__)
                stop.wait(1.0)
                continue
            if published < self._settings.batch_size:
                self._idle(stop, listener)

    def _idle(self, stop: threading.Event, listener: Listener | None) -> None:
        if listener is not None and listener.connect():
            listener.wait(self._settings.listen_poll_interval_s)
        else:
            stop.wait(self._settings.poll_interval_s)
