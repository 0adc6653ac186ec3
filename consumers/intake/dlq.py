"""Dead letters: the original key, value and headers, plus Kafka Connect's `__connect.errors.*`
headers naming where the record came from and why it was refused (no personal data: the message
is the codec's or the validator's, which never quote values)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from consumers.intake.messages import Rejected
from schemas.cloudevents import Headers

__all__ = ["dead_letter_headers", "send_dead_letters"]

PREFIX = "__connect.errors."
MAX_MESSAGE = 500


def dead_letter_headers(rejected: Rejected) -> Headers:
    topic, partition, offset = rejected.position
    ours = {
        "topic": topic,
        "partition": str(partition),
        "offset": str(offset),
        "stage": rejected.stage,
        "class.name": "consumers.intake",
        "exception.class.name": rejected.error_class,
        "exception.message": rejected.message[:MAX_MESSAGE],
        "reason": rejected.reason,
    }
    kept = [(k, v) for k, v in rejected.headers if not k.startswith(PREFIX)]
    return kept + [(PREFIX + k, v.encode("utf-8")) for k, v in ours.items()]


def send_dead_letters(
    producer: Any, topic: str, rejected: Sequence[Rejected], timeout_s: float = 30.0
) -> None:
    """Produce every dead letter and wait until the broker acknowledged each (raises KafkaError)."""
    futures = [
        producer.send(topic, key=r.key, value=r.value, headers=dead_letter_headers(r)) for r in rejected
    ]
    if futures:
        producer.flush(timeout=timeout_s)
    for future in futures:
        future.get(timeout=timeout_s)
