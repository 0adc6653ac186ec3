"""Intake's loop frees a batch's reference cycles when the batch ends (`IntakeLoop.run`): its
automatic collections are rare (`app.tune_gc`), and garbage waiting for them piled up."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from kafka.structs import TopicPartition

from consumers.intake.loop import IntakeLoop
from consumers.intake.unit import IntakeConfig
from signalhub.domain.linkage.config import default_config
from signalhub.metrics import Metrics
from signalhub.settings import KafkaSettings


class _Node:
    other: _Node


class _OneBatch:
    """A consumer that hands over one batch, then asks the loop to stop."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.batches = stop, [{TopicPartition("t", 0): ["record"]}]

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[str]]:
        if self.batches:
            return self.batches.pop()
        self.stop.set()
        return {}

    def assignment(self) -> set[TopicPartition]:
        return set()


@pytest.fixture
def no_automatic_collections() -> Iterator[None]:
    """As in a running intake, where they come every 400 000 allocations."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.mark.usefixtures("no_automatic_collections")
def test_the_reference_cycles_a_batch_made_are_freed_when_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    freed: list[str] = []

    def handle(self: IntakeLoop, records: Sequence[Any]) -> None:
        a, b = _Node(), _Node()
        a.other, b.other = b, a  # unreachable once the batch is handled, but not by reference counts
        weakref.finalize(a, freed.append, "cycle")

    monkeypatch.setattr(IntakeLoop, "handle", handle)
    stop = threading.Event()
    config = IntakeConfig(KafkaSettings(), "31", default_config())
    loop = IntakeLoop(_OneBatch(stop), None, None, config, Metrics(), "intake")  # type: ignore[arg-type]
    loop.run(stop)
    assert freed == ["cycle"]
