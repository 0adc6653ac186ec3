"""The one way to publish a signal: validate -> encode -> send to `signals.<agency>` -> await the ack.

Contracts:
- Validation is `signalhub.signals` with the hub's `SignalRules` (raises `SignalValidationError`,
  nothing is sent); encoding is
  Avro single-object (`schemas.codec`); headers are CloudEvents binary mode:
  `ce_id` = event_id, `ce_type` = `ru.signalhub.signal.<signal_type>`,
  `ce_source` = `<agency>/<source_system, percent-encoded>`, `ce_time` = reported_at.
- Key = `source_record_id` (UTF-8): every event of one agency record (the first report and its
  amendments) lands on one partition, so intake sees them in order.
- The producer is idempotent with `acks=all`; `publish` returns only after the broker has
  acknowledged, and raises `PublishError` otherwise: a failed delivery never passes silently.
- Resending a signal reuses its `event_id`; this class never invents one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import quote

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from schemas.cloudevents import CloudEvent, Headers, to_headers
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel, SignalRules, validate_signal

log = logging.getLogger(__name__)

SignalInput = RiskSignalModel | Mapping[str, Any]


class PublishError(RuntimeError):
    """The broker did not acknowledge a signal in time. `retriable` says whether trying again may help.

    The message names the event id and the Kafka error class only, never signal content.
    """

    def __init__(self, message: str, *, event_ids: list[str], retriable: bool) -> None:
        super().__init__(message)
        self.event_ids = event_ids
        self.retriable = retriable


@dataclass(frozen=True)
class Delivery:
    """Where the broker stored one signal."""

    event_id: str
    topic: str
    partition: int
    offset: int


class Publisher:
    """Publishes `RiskSignal`s; owns its producer unless one is passed in. Use as a context manager."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        rules: SignalRules,
        producer: KafkaProducer | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self._settings = settings
        self.rules = rules
        self._producer = producer
        self._owns_producer = producer is None
        self.timeout_s = timeout_s
        self._codec = Codec("RiskSignal")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def publish(self, signal: SignalInput) -> Delivery:
        """Validate, send and await the broker's ack of one signal."""
        return self.publish_many([signal])[0]

    def publish_many(self, signals: Iterable[SignalInput]) -> list[Delivery]:
        """Validate all first (nothing is sent if one is invalid), send all, await every ack.

        Returns deliveries in input order. Raises `PublishError` listing the event ids that were
        not acknowledged; the others were stored and resending them is harmless (same event ids).
        """
        models = [validate_signal(s, self.rules) for s in signals]
        producer = self._ensure_producer()
        futures = [(m, self._send(producer, m)) for m in models]
        # After a flush that timed out nothing more is awaited: what is not acknowledged now fails.
        wait_s = self.timeout_s if self._flush(producer) else 0.0
        delivered: list[Delivery] = []
        failed: list[tuple[str, BaseException]] = []
        for model, future in futures:
            try:
                meta = future.get(timeout=wait_s)
            except KafkaError as e:
                failed.append((str(model.event_id), e))
                continue
            delivered.append(Delivery(str(model.event_id), meta.topic, meta.partition, meta.offset))
        if failed:
            self._discard_producer()
            raise _publish_error(failed)
        return delivered

    def send_async(self, signal: SignalInput) -> Any:
        """Validate and send without waiting; returns kafka-python's future (`.get()` awaits the ack).

        For callers that pipeline their own batches (file import); most should use `publish_many`.
        """
        return self._send(self._ensure_producer(), validate_signal(signal, self.rules))

    def flush(self) -> None:
        """Wait up to `timeout_s` for what was sent; what is still unacknowledged then fails on its
        future (`send_async` callers see it there), never here."""
        if self._producer is not None:
            self._flush(self._producer)

    def close(self) -> None:
        """Flush what is pending and close the producer if this publisher created it."""
        if self._producer is not None and self._owns_producer:
            self._flush(self._producer)
            self._discard_producer()

    def _discard_producer(self) -> None:
        """Close our producer without waiting; the next send makes a new one.

        After batches expired unacknowledged (a broker down longer than the delivery timeout)
        kafka-python's idempotent producer does not recover: every later send timed out until the
        process restarted (found by the fault harness, scenario 1). A new producer gets a new
        producer id; what failed is resent by the caller with the same event ids, which intake
        deduplicates.
        """
        if self._producer is not None and self._owns_producer:
            try:
                self._producer.close(timeout=0)
            except KafkaTimeoutError:
                # kafka-python 3.0's close flushes first and raises when that times out, before it
                # stops its sender thread: stop that thread here, or every discarded producer would
                # keep a thread and its connections for the life of the process.
                sender = getattr(self._producer, "_sender", None)
                if sender is not None:
                    sender.force_close()
            self._producer = None

    def _flush(self, producer: KafkaProducer) -> bool:
        """False when the broker did not acknowledge everything within `timeout_s` (kafka-python
        raises its own timeout from `flush`: a broker down or unreachable is the caller's
        `PublishError` on each future, not an exception of another kind from here)."""
        try:
            producer.flush(timeout=self.timeout_s)
        except KafkaTimeoutError:
            log.warning("Broker did not acknowledge pending signals within %.0f s", self.timeout_s)
            return False
        return True

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            try:
                timeout_ms = int(self.timeout_s * 1000)
                self._producer = make_producer(
                    self._settings,
                    acks="all",
                    enable_idempotence=True,
                    max_block_ms=timeout_ms,
                    delivery_timeout_ms=max(timeout_ms, 31_000),
                    bootstrap_timeout_ms=timeout_ms,
                )
            except KafkaError as e:
                raise PublishError(
                    f"cannot connect to Kafka at {self._settings.bootstrap_servers}: {type(e).__name__}",
                    event_ids=[],
                    retriable=True,
                ) from e
        return self._producer

    def _send(self, producer: KafkaProducer, model: RiskSignalModel) -> Any:
        value = self._codec.encode(model.to_avro())
        try:
            return producer.send(
                self._settings.signal_topic(model.agency.value),
                key=model.source_record_id.encode("utf-8"),
                value=value,
                headers=headers_for(model),
            )
        except KafkaError as e:
            raise _publish_error([(str(model.event_id), e)]) from e


def headers_for(model: RiskSignalModel) -> Headers:
    """The CloudEvents headers of one signal."""
    return to_headers(
        CloudEvent(
            id=str(model.event_id),
            source=f"{model.agency.value}/{quote(model.source_system, safe='')}",
            type=f"ru.signalhub.signal.{model.signal_type.value}",
            time=model.reported_at,
        )
    )


def _publish_error(failed: list[tuple[str, BaseException]]) -> PublishError:
    first_id, first = failed[0]
    retriable = all(bool(getattr(e, "retriable", False)) or _is_timeout(e) for _, e in failed)
    log.warning("Publishing failed for %d signal(s): %s", len(failed), type(first).__name__)
    return PublishError(
        f"broker did not acknowledge {len(failed)} signal(s), first {first_id}: {type(first).__name__}",
        event_ids=[event_id for event_id, _ in failed],
        retriable=retriable,
    )


def _is_timeout(error: BaseException) -> bool:
    return "Timeout" in type(error).__name__
