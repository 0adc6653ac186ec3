"""The alert consumer: Kafka -> delivery log. Offsets are committed only after the database commit.

An alert consumed twice (after a crash or a rebalance) records nothing new: rows are unique per
alert and channel. A record that is not a CaseAlert cannot be delivered; it is counted and logged
by offset (never by content) and skipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from consumers.notifier import deliveries
from consumers.notifier.message import as_stored
from consumers.notifier.routing import Routing
from consumers.notifier.worker import Wakeup
from schemas.codec import Codec
from schemas.errors import SerializationError
from signalhub.metrics import Metrics

log = logging.getLogger(__name__)


class AlertConsumer:
    def __init__(
        self,
        consumer: KafkaConsumer,
        routing: Routing,
        sessions: sessionmaker[Session],
        metrics: Metrics,
        clock: Callable[[], datetime],
        wakeup: Wakeup,
        max_records: int = 500,
    ) -> None:
        self._consumer = consumer
        self._routing = routing
        self._sessions = sessions
        self._metrics = metrics
        self._clock = clock
        self._wakeup = wakeup
        self._max_records = max_records
        self._codec = Codec("CaseAlert")

    def poll_once(self, timeout_ms: int = 100) -> int:
        """Record the deliveries of one polled batch, then commit its offsets; returns alerts seen."""
        batch = self._consumer.poll(timeout_ms=timeout_ms, max_records=self._max_records)
        alerts = [
            alert for records in batch.values() for r in records if (alert := self._decode(r)) is not None
        ]
        if alerts:
            now = self._clock()
            routed = [(alert, self._routing.channels_for(alert)) for alert in alerts]
            for alert, channels in routed:
                if not channels:
                    log.warning(
                        "Alert %s matched no route and there is no default channel", alert["alert_id"]
                    )
            with self._sessions() as session, session.begin():
                deliveries.record(session, routed, now)
        if batch:
            self._consumer.commit()
        if alerts and not self._wakeup.pushed:
            # With a LISTEN connection, record's NOTIFY already woke the workers at its commit; a
            # second wake-up would only cost them an empty pass.
            self._wakeup.notify()
        return len(alerts)

    def _decode(self, record: Any) -> dict[str, Any] | None:
        try:
            return as_stored(self._codec.decode(record.value))
        except SerializationError as e:
            self._metrics.dead_letters.labels(stage="notifier", reason=e.reason.value).inc()
            log.error(
                "Skipping a record that is not a CaseAlert at %s[%d]@%d: %s",
                record.topic,
                record.partition,
                record.offset,
                e.reason.value,
            )
            return None

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.poll_once()
            except (SQLAlchemyError, KafkaError) as e:
                # Nothing was committed to Kafka for the failed batch: rewind to the committed offsets.
                self._metrics.transient_errors.labels(component="notifier").inc()
                log.warning("Alert consumer pass failed (%s), rewinding", type(e).__name__)
                self._rewind()
                stop.wait(1.0)

    def _rewind(self) -> None:
        try:
            for tp in self._consumer.assignment():
                committed = self._consumer.committed(tp)
                if committed is None:
                    self._consumer.seek_to_beginning(tp)
                else:
                    self._consumer.seek(tp, committed)
        except KafkaError as e:
            log.warning("Rewind failed (%s); the group will resume from committed offsets", type(e).__name__)
