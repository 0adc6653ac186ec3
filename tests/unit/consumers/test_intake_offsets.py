"""Intake commits a batch's offsets without waiting for the broker (the next batch does not wait
a round trip to the group coordinator); when the loop stops, it commits the last offsets of the
partitions it still owns and waits, so a clean stop leaves nothing to re-read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from kafka.structs import OffsetAndMetadata, TopicPartition

from consumers.intake.loop import IntakeLoop
from consumers.intake.unit import IntakeConfig
from signalhub.domain.linkage.config import default_config
from signalhub.metrics import Metrics
from signalhub.settings import KafkaSettings
from tests.fixtures.intake import FakeRecord, encode, make_family, make_signal

KAFKA = KafkaSettings(topic_prefix="t.")
OWNED, REVOKED = TopicPartition("t.signals.police", 0), TopicPartition("t.signals.police", 1)


class _Consumer:
    """Two batches (one per partition), then nothing; partition 1 is revoked after its batch."""

    def __init__(self, batches: list[list[FakeRecord]], stop: threading.Event, owned_at: int) -> None:
        self.batches, self.stop, self.owned_at = batches, stop, owned_at
        self.sent: list[dict[TopicPartition, OffsetAndMetadata]] = []
        self.waited: list[dict[TopicPartition, OffsetAndMetadata]] = []

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[FakeRecord]]:
        if not self.batches:
            self.stop.set()
            return {}
        batch = self.batches.pop(0)
        return {TopicPartition(batch[0].topic, batch[0].partition): batch}

    def commit_async(
        self, offsets: dict[TopicPartition, OffsetAndMetadata], callback: Callable[..., Any]
    ) -> None:
        self.sent.append(offsets)

    def commit(self, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        self.waited.append(offsets)

    def assignment(self) -> set[TopicPartition]:
        return {OWNED}

    def position(self, tp: TopicPartition, timeout_ms: int) -> int:
        return self.owned_at

    def highwater(self, tp: TopicPartition) -> None:
        return None


def _records(partition: int, offsets: range) -> list[FakeRecord]:
    out = []
    for n in offsets:
        value, headers = encode(
            make_signal(make_family(100 * partition + n), "police", record=f"r-{partition}-{n}")
        )
        out.append(FakeRecord("t.signals.police", partition, n, b"k", value, headers))
    return out


def _run(monkeypatch: pytest.MonkeyPatch, owned_at: int) -> _Consumer:
    monkeypatch.setattr(IntakeLoop, "_apply", lambda self, accepted, receipts, result, out: None)
    stop = threading.Event()
    consumer = _Consumer([_records(0, range(0, 3)), _records(1, range(5, 7))], stop, owned_at)
    config = IntakeConfig(KAFKA, "31", default_config())
    loop = IntakeLoop(consumer, None, None, config, Metrics(), "intake")  # type: ignore[arg-type]
    loop.run(stop)
    return consumer


def test_batches_commit_without_waiting_and_a_stop_waits_for_the_owned_partitions_offsets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    consumer = _run(monkeypatch, owned_at=3)
    assert consumer.sent == [{OWNED: OffsetAndMetadata(3, "", -1)}, {REVOKED: OffsetAndMetadata(7, "", -1)}]
    # at the stop: the owned partition's last offsets, waited for; the revoked one's are its new owner's
    assert consumer.waited == [{OWNED: OffsetAndMetadata(3, "", -1)}]


def test_a_stop_does_not_set_back_a_partition_another_owner_moved_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partition 0 was revoked, read on by another process to offset 40 and assigned back: the
    offsets this loop sent for it before are stale, and committing them would set the group back."""
    consumer = _run(monkeypatch, owned_at=40)
    assert consumer.waited == []
