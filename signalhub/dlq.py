"""The dead-letter topic: what a dead letter holds, building one (the one place its headers are
made), and reading, inspecting and replaying the topic.

Layout of a dead letter (Kafka Connect's convention, KAFKA-NOTES.md): the original key and value
bytes, the original headers (CloudEvents `ce_*` among them), and error headers
`__connect.errors.{topic,partition,offset,stage,class.name,exception.class.name,exception.message}`
plus `__connect.errors.reason`, a short stable code (`undecodable`, `invalid_content`...) and, when
one field is to blame, `__connect.errors.field` (the signal's path such as `children[0].snils`, or a
header's name). Header texts never hold personal data.

Contracts:
- `make_letter()` builds what is sent: a letter whose original would not fit the topic
  (`MAX_LETTER_BYTES`, below the producer's and the broker's 1 MiB default) keeps the head of
  its value (and of an oversized key, without oversized original headers) and says so in
  `signalhub.original-size`, `signalhub.original-sha256` (of the whole original value) and
  `signalhub.truncated`; the source topic, partition and offset are in the error headers of every
  letter. A letter is never dropped for its size.
- `read()` returns every dead letter present when it was called, oldest first per partition; it
  joins no consumer group and commits nothing, so it never disturbs intake or other readers.
- `replay()` sends each letter back to its source topic (the source partition when it still
  exists) with the original key, value and non-error headers plus `signalhub.replayed-from`
  (`<dlq topic>:<partition>:<offset>`), and returns once the broker acknowledged every send.
  The original `ce_id` (the event id) is kept, so intake's dedup on (agency, event id) makes a
  replay of something already processed a no-op: replaying twice never duplicates effects. A
  truncated letter is not replayed (its value is not the original).
- Only the hub's signal topics are replay targets; a letter naming any other topic is refused.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import TopicPartition

from schemas.cloudevents import Headers
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import AGENCIES, KafkaSettings

__all__ = [
    "ERROR_PREFIX",
    "MAX_LETTER_BYTES",
    "REASON",
    "REPLAYED_FROM",
    "TRUNCATED",
    "DeadLetter",
    "Letter",
    "Replayed",
    "error_headers",
    "make_letter",
    "read",
    "replay",
    "select",
    "send",
]

ERROR_PREFIX = "__connect.errors."
REASON = ERROR_PREFIX + "reason"
REPLAYED_FROM = "signalhub.replayed-from"
ORIGINAL_SIZE = "signalhub.original-size"
ORIGINAL_SHA256 = "signalhub.original-sha256"
TRUNCATED = "signalhub.truncated"
MAX_MESSAGE = 500  # characters of an exception message kept in a header
MAX_LETTER_BYTES = 900_000
MAX_KEY_BYTES = 4096
MAX_ORIGINAL_HEADER_BYTES = 64 * 1024


def error_headers(
    *,
    topic: str,
    partition: int,
    offset: int,
    stage: str,
    reason: str,
    error: BaseException,
    consumer: str,
    field: str | None = None,
) -> Headers:
    """The error headers of a dead letter for a record of `topic` that failed at `stage` (`field`: the
    path or header to blame, when one is).

    `str(error)` becomes the message: the caller guarantees it holds no personal data.
    """
    fields = {
        "topic": topic,
        "partition": str(partition),
        "offset": str(offset),
        "stage": stage,
        "class.name": consumer,
        "exception.class.name": f"{type(error).__module__}.{type(error).__qualname__}",
        "exception.message": str(error)[:MAX_MESSAGE],
        "reason": reason,
    }
    if field:
        fields["field"] = field
    return [(ERROR_PREFIX + name, value.encode()) for name, value in fields.items()]


@dataclass(frozen=True)
class Letter:
    """What is sent to the dead-letter topic."""

    key: bytes | None
    value: bytes | None
    headers: Headers


def make_letter(key: bytes | None, value: bytes | None, original: Headers, errors: Headers) -> Letter:
    """The dead letter of a record (original key, value, headers) refused with `errors`; cut to
    fit the topic when it would not (module contract)."""
    kept = [(k, v) for k, v in original if not k.startswith(ERROR_PREFIX)]
    size = len(key or b"") + len(value or b"") + sum(len(k) + len(v) for k, v in [*kept, *errors])
    if size <= MAX_LETTER_BYTES:
        return Letter(key, value, [*kept, *errors])
    cut = ["value"]
    if len(key or b"") > MAX_KEY_BYTES:
        key, cut = (key or b"")[:MAX_KEY_BYTES], [*cut, "key"]
    if sum(len(k) + len(v) for k, v in kept) > MAX_ORIGINAL_HEADER_BYTES:
        kept, cut = [], [*cut, "headers"]
    body = value or b""
    marks = [
        (ORIGINAL_SIZE, str(len(body)).encode()),
        (ORIGINAL_SHA256, hashlib.sha256(body).hexdigest().encode()),
        (TRUNCATED, ",".join(cut).encode()),
    ]
    headers = [*kept, *errors, *marks]
    room = MAX_LETTER_BYTES - len(key or b"") - sum(len(k) + len(v) for k, v in headers)
    return Letter(key, body[: max(0, room)], headers)


def send(producer: Any, topic: str, letters: Sequence[Letter], timeout_s: float = 30.0) -> None:
    """Produce every letter and wait until the broker acknowledged each (raises KafkaError)."""
    futures = [producer.send(topic, key=x.key, value=x.value, headers=x.headers) for x in letters]
    if futures:
        producer.flush(timeout=timeout_s)
    for future in futures:
        future.get(timeout=timeout_s)


@dataclass(frozen=True)
class DeadLetter:
    """One record of the dead-letter topic; `ref` (`partition:offset`) names it in the CLI."""

    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes | None
    headers: Headers

    @property
    def ref(self) -> str:
        return f"{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", errors="replace")
        return None

    def error(self, name: str) -> str | None:
        return self.header(ERROR_PREFIX + name)

    @property
    def source_topic(self) -> str | None:
        return self.error("topic")

    @property
    def source_partition(self) -> int | None:
        return _int(self.error("partition"))

    @property
    def source_offset(self) -> int | None:
        return _int(self.error("offset"))

    @property
    def truncated(self) -> bool:
        """The value (and maybe key and headers) was cut to fit the topic: not replayable."""
        return self.header(TRUNCATED) is not None

    @property
    def stage(self) -> str:
        return self.error("stage") or "unknown"

    @property
    def field(self) -> str | None:
        """The signal's path (`children[0].snils`) or the header to blame, when the letter names one."""
        return self.error("field")

    @property
    def reason(self) -> str:
        """The reason code; for letters without one, the code before `:` of the message
        (the project's errors start with it) or else the exception's class name."""
        explicit = self.error("reason")
        if explicit:
            return explicit
        message = self.error("exception.message") or ""
        code, sep, _ = message.partition(":")
        if sep and code.replace("_", "").isalnum() and code.islower():
            return code
        return (self.error("exception.class.name") or "unknown").rsplit(".", 1)[-1]

    def replay_headers(self, dlq_topic: str) -> Headers:
        """The original headers without error headers or an older replay mark, plus a new mark."""
        kept = [(k, v) for k, v in self.headers if not k.startswith(ERROR_PREFIX) and k != REPLAYED_FROM]
        return [*kept, (REPLAYED_FROM, f"{dlq_topic}:{self.ref}".encode())]


def select(
    letters: Iterable[DeadLetter], refs: Sequence[str] = (), reason: str | None = None
) -> list[DeadLetter]:
    """The letters named by `refs` (`partition:offset`, or a bare offset when only one partition has
    it), all of them when `refs` is empty, then only those of `reason` when given.

    Raises `LookupError` for a ref that names no letter or, bare, more than one.
    """
    pool = list(letters)
    chosen = pool if not refs else [_one(pool, ref) for ref in dict.fromkeys(refs)]
    return [d for d in chosen if reason is None or d.reason == reason]


def _one(pool: list[DeadLetter], ref: str) -> DeadLetter:
    partition, sep, offset = ref.strip().rpartition(":")
    try:
        wanted = int(offset), (int(partition) if sep else None)
    except ValueError:
        raise LookupError(f"{ref!r} is not partition:offset") from None
    found = [d for d in pool if d.offset == wanted[0] and wanted[1] in (None, d.partition)]
    if len(found) != 1:
        several = "several partitions have" if found else "no dead letter has"
        raise LookupError(f"{several} offset {ref}; name it as partition:offset")
    return found[0]


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def read(settings: KafkaSettings, timeout_s: float = 30.0) -> list[DeadLetter]:
    """Every dead letter now in the topic, ordered by partition and offset (see module contract)."""
    topic = settings.dlq_topic
    with closing(make_consumer(settings, None, [])) as consumer:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        end: dict[TopicPartition, int] = consumer.end_offsets(tps)
        letters = _drain(consumer, end, timeout_s)
    return sorted(letters, key=lambda d: (d.partition, d.offset))


def _drain(consumer: Any, end: dict[TopicPartition, int], timeout_s: float) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    deadline = time.monotonic() + timeout_s
    while any(consumer.position(tp) < last for tp, last in end.items()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"reading the dead-letter topic took longer than {timeout_s:.0f} s")
        for tp, records in consumer.poll(timeout_ms=500).items():
            letters.extend(_letter(r) for r in records if r.offset < end[tp])
    return letters


def _letter(record: Any) -> DeadLetter:
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=record.key,
        value=record.value,
        headers=[(k, bytes(v or b"")) for k, v in record.headers or []],
    )


@dataclass(frozen=True)
class Replayed:
    """What became of one letter: sent to `topic` (partition, offset) or refused with `error`."""

    letter: DeadLetter
    topic: str | None
    partition: int | None = None
    offset: int | None = None
    error: str | None = None


def replay(settings: KafkaSettings, letters: Sequence[DeadLetter], timeout_s: float = 30.0) -> list[Replayed]:
    """Send `letters` back to their source topics (module contract); one result per letter."""
    allowed = {settings.signal_topic(agency) for agency in AGENCIES}
    producer = make_producer(settings)
    try:
        sends: list[tuple[DeadLetter, str | None, Any]] = []
        for letter in letters:
            target = letter.source_topic
            if target is None or target not in allowed or letter.truncated:
                sends.append((letter, target, None))
                continue
            partitions = producer.partitions_for(target) or set()
            partition = letter.source_partition if letter.source_partition in partitions else None
            headers = letter.replay_headers(settings.dlq_topic)
            future = producer.send(
                target, key=letter.key, value=letter.value, headers=headers, partition=partition
            )
            sends.append((letter, target, future))
        producer.flush(timeout=timeout_s)
        return [_result(letter, target, future, timeout_s) for letter, target, future in sends]
    finally:
        producer.close(timeout=timeout_s)


def _result(letter: DeadLetter, target: str | None, future: Any, timeout_s: float) -> Replayed:
    if future is None and letter.truncated:
        return Replayed(
            letter, target, error="the letter was cut to fit the topic: its value is not the original"
        )
    if future is None:
        return Replayed(letter, target, error="source topic is not a signal topic of the hub")
    meta = future.get(timeout=timeout_s)
    return Replayed(letter, target, meta.partition, meta.offset)
