"""The intake loop: poll a batch, dead-letter what cannot be read, apply the rest in one
transaction, then commit the offsets (never before: a crash re-reads, and the inbox makes the
re-read harmless).

Transient faults (database unreachable, a retriable broker error, a unique violation or deadlock
between intake processes) are never dead-lettered: the consumer seeks back to the batch's first
offsets, pauses its partitions, waits with exponential backoff, resumes and reads the same records
again. A commit refused because the group rebalanced is harmless: the new owner re-reads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from kafka.errors import CommitFailedError, KafkaError, KafkaTimeoutError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from consumers.intake.dlq import send_dead_letters
from consumers.intake.messages import Accepted, Rejected, read
from consumers.intake.unit import IntakeConfig, process_batch
from schemas.codec import Codec
from signalhub.metrics import Metrics
from signalhub.settings import AGENCIES

__all__ = ["Backoff", "IntakeLoop", "is_transient"]

log = logging.getLogger(__name__)


def is_transient(error: BaseException) -> bool:
    """A fault that waiting can cure; anything else stops the process (nothing is lost)."""
    if isinstance(error, OperationalError | InterfaceError | IntegrityError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, KafkaTimeoutError):
        return True
    return isinstance(error, KafkaError) and bool(getattr(error, "retriable", False))


class Backoff:
    """Exponential delays: initial, doubled on each failure, capped; reset on success."""

    def __init__(self, initial_s: float = 0.2, max_s: float = 10.0) -> None:
        self.initial_s, self.max_s, self.failures = initial_s, max_s, 0

    def next(self) -> float:
        delay = min(self.max_s, self.initial_s * float(2**self.failures))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


class IntakeLoop:
    def __init__(
        self,
        consumer: Any,
        producer: Any,
        engine: Engine,
        config: IntakeConfig,
        metrics: Metrics,
        group: str,
        batch_size: int = 500,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.consumer, self.producer, self.engine = consumer, producer, engine
        self.config, self.metrics, self.group = config, metrics, group
        self.batch_size, self.backoff, self.clock = batch_size, backoff or Backoff(), clock
        self.codec = Codec("RiskSignal")
        self.agency_of = {config.kafka.signal_topic(a): a for a in AGENCIES}
        self.ready = False

    def run(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set; returns after the batch in hand is finished."""
        while not stop.is_set():
            polled = self.consumer.poll(timeout_ms=500, max_records=self.batch_size)
            self.ready = True
            records = [r for tp in sorted(polled) for r in polled[tp]]
            if records:
                try:
                    self.handle(records)
                    self.backoff.reset()
                except Exception as e:
                    if not is_transient(e):
                        raise
                    self._retry_later(records, e, stop)
            self._lag()

    def handle(self, records: Sequence[Any]) -> None:
        started = time.monotonic()
        rules = self.config.rules
        items = [read(r, self.agency_of[r.topic], self.codec, rules) for r in records]
        accepted = [i for i in items if isinstance(i, Accepted)]
        rejected = [i for i in items if isinstance(i, Rejected)]
        if rejected:
            send_dead_letters(self.producer, self.config.kafka.dlq_topic, rejected)
        result = process_batch(self.engine, self.config, accepted, rejected, self.clock())
        self._commit(records)
        done = datetime.now(UTC)
        m = self.metrics
        for agency, outcome in result.outcomes:
            m.signals_consumed.labels(agency, outcome).inc()
        for band in result.bands:
            m.linkage_decisions.labels(band).inc()
        for r in rejected:
            m.dead_letters.labels(r.stage, r.reason).inc()
        for a in accepted:
            if a.ce_time is not None:
                m.signal_to_case.observe(max(0.0, (done - a.ce_time).total_seconds()))
        m.batch_size.observe(len(records))
        m.batch_duration.observe(time.monotonic() - started)

    def _commit(self, records: Sequence[Any]) -> None:
        last: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            last[tp] = max(last.get(tp, -1), r.offset)
        try:
            self.consumer.commit({tp: OffsetAndMetadata(o + 1, "", -1) for tp, o in last.items()})
        except CommitFailedError:
            log.warning("Offsets of a committed batch were refused after a rebalance; the new owner re-reads")

    def _retry_later(self, records: Sequence[Any], error: Exception, stop: threading.Event) -> None:
        component = "kafka" if isinstance(error, KafkaError) else "database"
        self.metrics.transient_errors.labels(component).inc()
        delay = self.backoff.next()
        log.warning(
            "Transient %s fault (%s); %d records will be read again in %.1f s",
            component, type(error).__name__, len(records), delay,
        )  # fmt: skip
        first: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            first[tp] = min(first.get(tp, r.offset), r.offset)
        assigned = list(self.consumer.assignment())
        for tp, offset in first.items():
            if tp in assigned:
                self.consumer.seek(tp, offset)
        self.consumer.pause(*assigned)
        stop.wait(delay)
        self.consumer.resume(*assigned)

    def _lag(self) -> None:
        for tp in self.consumer.assignment():
            high = self.consumer.highwater(tp)
            if high is None:
                continue
            try:
                position = self.consumer.position(tp, timeout_ms=100)
            except (KafkaError, TypeError):
                continue
            if position is not None:
                self.metrics.consumer_lag.labels(self.group, tp.topic, str(tp.partition)).set(high - position)
