"""The intake loop's batch: what the consumer holds, topped up once with what reached the broker
since (kafka-python hands over what its last fetch brought and only then fetches again, so that
fetch was answered early in the previous batch: without the top-up, what arrived later in it
waited for the batch after next)."""

from __future__ import annotations

from typing import Any

from kafka.structs import TopicPartition

from consumers.intake.loop import IntakeLoop
from consumers.intake.unit import IntakeConfig
from signalhub.domain.linkage import default_config
from signalhub.settings import KafkaSettings

A, B = TopicPartition("signals.police", 0), TopicPartition("signals.health", 0)


class Consumer:
    """Answers each poll with the next of `answers`; records the polls' arguments."""

    def __init__(self, *answers: dict[TopicPartition, list[int]]) -> None:
        self.answers, self.polls = list(answers), list[tuple[int, int]]()

    def poll(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[int]]:
        self.polls.append((timeout_ms, max_records))
        return self.answers.pop(0) if self.answers else {}


def loop(consumer: Consumer, batch_size: int = 10) -> IntakeLoop:
    config = IntakeConfig(kafka=KafkaSettings(), region_code="31", linkage=default_config())
    unused: Any = None  # producer, engine, metrics: polling touches none of them
    return IntakeLoop(consumer, unused, unused, config, unused, "intake", batch_size=batch_size)


def test_a_partial_batch_is_topped_up_with_what_one_quick_poll_brings() -> None:
    consumer = Consumer({A: [1]}, {A: [2, 3], B: [7]}, {A: [4]})
    assert loop(consumer)._poll() == {A: [1, 2, 3], B: [7]}
    assert consumer.polls == [(500, 10), (10, 9)]  # short, and no more than the batch has room for


def test_a_full_batch_or_an_empty_poll_is_not_topped_up() -> None:
    full = Consumer({A: list(range(10))}, {A: [10]})
    assert loop(full)._poll() == {A: list(range(10))}
    empty = Consumer({}, {A: [1]})
    assert loop(empty)._poll() == {}
    assert len(full.polls) == len(empty.polls) == 1
