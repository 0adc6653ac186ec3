"""The intake loop: poll a batch, apply it in one transaction, send the dead letters of what could
not be taken, then commit the offsets (never before: a crash re-reads, and the inbox and the
outbox's stable receipt ids make the re-read harmless).

Faults are classified once (`consumers.intake.faults`):
- transient (database unreachable, serialization failure, deadlock, a unique violation between
  intake processes, a retriable broker error): nothing is dead-lettered; the consumer seeks back
  to the batch's first offsets, pauses its partitions, waits with exponential backoff (metric
  `signalhub_transient_errors_total`), resumes and reads the same records again;
- caused by a record (the database refuses a value, a bug one input triggers): the batch is
  split in halves, each applied on its own, until the record is alone; it is then dead-lettered
  (`refused_by_database`) with a rejected receipt, and the others are kept (invariant 7);
- shared and not curable by waiting (schema missing, broker refusing us): the process stops.
Dead letters are sent after the database transaction committed, so a batch retried after a
transient database fault sends each dead letter once; a crash (or a broker fault) between that
commit and the sends re-reads the batch and sends them then (at least once: each letter names its
source topic, partition and offset). A commit refused because the group rebalanced is harmless:
the new owner re-reads.

Offsets are committed without waiting for the broker's answer (the next batch need not wait a
round trip to the group coordinator, at 200 signals/s one of a batch's few); a commit that fails
or is cut short by a crash only makes the batch be read again, which the inbox makes harmless.
When the loop stops, the last offsets are committed once more and waited for, so a clean stop
leaves nothing to re-read.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import Engine

from consumers.intake.faults import Backoff, Fault, classify
from consumers.intake.messages import Accepted, Rejected, dead_letter, read, refused
from consumers.intake.unit import BatchResult, IntakeConfig, process_batch
from schemas.codec import Codec
from signalhub import dlq
from signalhub.metrics import Metrics
from signalhub.settings import AGENCIES

__all__ = ["IntakeLoop", "collect_after_batch"]

log = logging.getLogger(__name__)


def collect_after_batch() -> None:
    """Collect the garbage a batch left: the generation CPython's own collector would choose (the
    oldest whose count exceeds its threshold), now, when the batch's objects are gone already.

    `app.tune_gc` makes automatic collections rare, so that none walks a batch in progress. Left to
    them alone, a batch's reference cycles (a library's exception holding the frame that held the
    fetched records, say) waited ~20 minutes at 25 signals/s and piled up to ~400 000 objects
    (benchmarks/soak.py). Collected here, the youngest generation holds only what the batch kept;
    the older ones are collected by tune_gc's thresholds (about every 20th and 2 000th batch),
    which an explicit collection would never trigger by itself."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    gc.collect(next((g for g in (2, 1) if counts[g] > thresholds[g]), 0))


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
        self._sent_offsets: dict[TopicPartition, OffsetAndMetadata] = {}

    def run(self, stop: threading.Event) -> None:
        """Process batches until `stop` is set; returns after the batch in hand is finished.

        After each batch that brought records, garbage is collected (`collect_after_batch`).
        """
        while not stop.is_set():
            if self._next_batch(stop):
                collect_after_batch()
            self._lag()
        self._commit_sent()

    def _next_batch(self, stop: threading.Event) -> bool:
        """Poll and handle a batch; False when the poll brought nothing."""
        polled = self.consumer.poll(timeout_ms=500, max_records=self.batch_size)
        self.ready = True
        records = [r for tp in sorted(polled) for r in polled[tp]]
        if records:
            try:
                self.handle(records)
                self.backoff.reset()
            except Exception as e:
                if classify(e) is not Fault.TRANSIENT:
                    raise
                self._retry_later(records, e, stop)
        return bool(records)

    def handle(self, records: Sequence[Any]) -> None:
        started = time.monotonic()
        rules = self.config.rules
        items = [read(r, self.agency_of[r.topic], self.codec, rules) for r in records]
        accepted = [i for i in items if isinstance(i, Accepted)]
        rejected = [i for i in items if isinstance(i, Rejected)]
        result = BatchResult()
        refused_by_database: list[Rejected] = []
        self._apply(accepted, rejected, result, refused_by_database)
        rejected += refused_by_database
        if rejected:
            dlq.send(self.producer, self.config.kafka.dlq_topic, [dead_letter(r) for r in rejected])
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
            for name in a.missing_headers:
                m.cloudevents_missing.labels(a.signal.agency.value, name).inc()
            if a.ce_time is not None:
                m.signal_to_case.observe(max(0.0, (done - a.ce_time).total_seconds()))
        m.batch_size.observe(len(records))
        m.batch_duration.observe(time.monotonic() - started)

    def _apply(
        self, accepted: Sequence[Accepted], receipts: list[Rejected], result: BatchResult, out: list[Rejected]
    ) -> None:
        """Apply `accepted` and the receipts of the rejected `receipts` in one transaction; on a
        fault caused by a record, in halves until that record is alone: it is appended to `out`
        (the batch's dead letters) and its receipt written with the others (module docstring)."""
        try:
            done = process_batch(self.engine, self.config, accepted, receipts, self.clock())
        except Exception as e:
            if classify(e) is not Fault.RECORD or not accepted:
                raise
            if len(accepted) == 1:
                log.warning(
                    "The database refused the signal at %s: %s", accepted[0].position, type(e).__name__
                )
                out.append(refused(accepted[0], e))
                self._apply([], [*receipts, out[-1]], result, out)
                return
            half = len(accepted) // 2
            self._apply(accepted[:half], receipts, result, out)
            self._apply(accepted[half:], [], result, out)
            return
        result.outcomes += done.outcomes
        result.bands += done.bands

    def _commit(self, records: Sequence[Any]) -> None:
        last: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            last[tp] = max(last.get(tp, -1), r.offset)
        offsets = {tp: OffsetAndMetadata(o + 1, "", -1) for tp, o in last.items()}
        self._sent_offsets |= offsets
        self.consumer.commit_async(offsets, callback=_committed)

    def _commit_sent(self) -> None:
        """Commit the offsets sent last and wait for the answer (the loop is stopping): those of
        the partitions still assigned and read no further since (a revoked partition's offsets, or
        one assigned again since, are its other owner's to commit: ours would set it back)."""
        try:
            assigned = self.consumer.assignment() if self._sent_offsets else set()
            offsets = {
                tp: o for tp, o in self._sent_offsets.items()
                if tp in assigned and self.consumer.position(tp, timeout_ms=100) == o.offset
            }  # fmt: skip
            if offsets:
                self.consumer.commit(offsets)
        except (CommitFailedError, KafkaError, TypeError) as e:
            log.warning(
                "The last offsets were not committed (%s); their batch will be read again", type(e).__name__
            )

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


def _committed(offsets: dict[TopicPartition, OffsetAndMetadata], result: Any) -> None:
    """The broker's answer to an offset commit: a failure only means the batch is read again."""
    if isinstance(result, Exception):
        log.warning("Offsets of a committed batch were not stored (%s); the batch will be read again",
                    type(result).__name__)  # fmt: skip
