"""One dead letter: its header layout, building the error headers, reading them back, picking letters.

Layout of a dead letter (Kafka Connect's convention, KAFKA-NOTES.md): the original key and value
bytes, the original headers (CloudEvents `ce_*` among them), and error headers
`__connect.errors.{topic,partition,offset,stage,class.name,exception.class.name,exception.message}`,
plus `__connect.errors.reason`, a short stable code (for instance `wrong_magic`, `invalid`).
`error_headers()` builds them (intake writes the same layout, `consumers/intake/dlq.py`). Header
texts never hold personal data.

Pure: no Kafka here (`signalhub.dlq` reads and replays the topic and re-exports these names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from schemas.cloudevents import Headers

__all__ = ["ERROR_PREFIX", "REASON", "REPLAYED_FROM", "DeadLetter", "error_headers", "select"]

ERROR_PREFIX = "__connect.errors."
REASON = ERROR_PREFIX + "reason"
REPLAYED_FROM = "signalhub.replayed-from"


def error_headers(
    *, topic: str, partition: int, offset: int, stage: str, reason: str, error: BaseException, consumer: str
) -> Headers:
    """The error headers of a dead letter for a record of `topic` that failed at `stage`.

    `str(error)` becomes the message: the caller guarantees it holds no personal data.
    """
    fields = {
        "topic": topic,
        "partition": str(partition),
        "offset": str(offset),
        "stage": stage,
        "class.name": consumer,
        "exception.class.name": f"{type(error).__module__}.{type(error).__qualname__}",
        "exception.message": str(error)[:1000],
        "reason": reason,
    }
    return [(ERROR_PREFIX + name, value.encode()) for name, value in fields.items()]


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
    def stage(self) -> str:
        return self.error("stage") or "unknown"

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
