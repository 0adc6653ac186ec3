"""Intake's loop frees a batch's reference cycles when the batch ends (`collect_after_batch`):
its automatic collections are rare (`app.tune_gc`), and garbage waiting for them piled up."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
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


def _cycle(freed: list[int], n: int) -> _Node:
    """Two objects that reference each other: only a collection frees them."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    weakref.finalize(a, freed.append, n)
    return a


class _Batches:
    """A consumer that hands over `n` batches of one record, then asks the loop to stop."""

    def __init__(self, n: int, stop: threading.Event) -> None:
        self.left, self.stop = n, stop

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[str]]:
        if self.left:
            self.left -= 1
            return {TopicPartition("t", 0): ["record"]}
        self.stop.set()
        return {}

    def assignment(self) -> set[TopicPartition]:
        return set()


@pytest.fixture
def intake_collector() -> Iterator[None]:
    """As in a running intake: no automatic collection comes during the test (they come every
    400 000 allocations), and the older generations' thresholds are small enough to reach."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()
    gc.set_threshold(400_000, 2, 2)
    gc.collect()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()


def _run(batches: int, handle: Callable[[int], None], monkeypatch: pytest.MonkeyPatch) -> None:
    handled = iter(range(batches))

    def handle_batch(self: IntakeLoop, records: Sequence[Any]) -> None:
        handle(next(handled))

    monkeypatch.setattr(IntakeLoop, "handle", handle_batch)
    stop = threading.Event()
    config = IntakeConfig(KafkaSettings(), "31", default_config())
    loop = IntakeLoop(_Batches(batches, stop), None, None, config, Metrics(), "intake")  # type: ignore[arg-type]
    loop.run(stop)


@pytest.mark.usefixtures("intake_collector")
def test_the_reference_cycles_a_batch_made_are_freed_when_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    freed: list[int] = []

    def handle(n: int) -> None:
        _cycle(freed, n)  # unreachable once the batch is handled, but not by reference counts

    _run(1, handle, monkeypatch)
    assert freed == [0]


@pytest.mark.usefixtures("intake_collector")
def test_cycles_that_outlived_their_batch_are_freed_by_the_older_generations_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cycle still referenced when its batch ends is promoted; freed later, it waits for its
    generation's collection, which the thresholds (2, 2) bring within a few batches."""
    freed: list[int] = []
    kept: list[_Node] = []

    def handle(n: int) -> None:
        if n == 0:
            kept.append(_cycle(freed, n))  # lives on past the batch, into an older generation
        elif n == 3:
            kept.clear()  # garbage now, in the oldest generation

    _run(12, handle, monkeypatch)
    assert freed == [0]
