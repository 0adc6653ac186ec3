"""CloudEvents Kafka protocol binding, binary mode: the event's attributes travel as `ce_` headers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SPECVERSION = "1.0"
AVRO_CONTENT_TYPE = "application/avro"

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class CloudEvent:
    """The context attributes of one event; `time` is timezone-aware."""

    id: str
    source: str
    type: str
    time: datetime
    content_type: str = AVRO_CONTENT_TYPE
    specversion: str = SPECVERSION


def to_headers(event: CloudEvent) -> Headers:
    return [
        ("ce_specversion", event.specversion.encode()),
        ("ce_id", event.id.encode()),
        ("ce_source", event.source.encode()),
        ("ce_type", event.type.encode()),
        (
            "ce_time",
            event.time.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z").encode(),
        ),
        ("content-type", event.content_type.encode()),
    ]


class MissingHeaderError(ValueError):
    """A required CloudEvents header is absent or unreadable."""


def from_headers(headers: Headers | None) -> CloudEvent:
    """Read the attributes back; raises `MissingHeaderError` naming the header that is wrong."""
    found = {k: v for k, v in headers or []}

    def get(name: str) -> str:
        if name not in found:
            raise MissingHeaderError(f"header {name} is missing")
        try:
            return found[name].decode("utf-8")
        except UnicodeDecodeError:
            raise MissingHeaderError(f"header {name} is not UTF-8") from None

    try:
        time = datetime.fromisoformat(get("ce_time").replace("Z", "+00:00"))
    except ValueError:
        raise MissingHeaderError("header ce_time is not an RFC 3339 time") from None
    return CloudEvent(
        id=get("ce_id"),
        source=get("ce_source"),
        type=get("ce_type"),
        time=time,
        content_type=get("content-type"),
        specversion=get("ce_specversion"),
    )


def header(headers: Headers | None, name: str) -> str | None:
    """One header's value as text, or None."""
    for key, value in headers or []:
        if key == name:
            return value.decode("utf-8", errors="replace")
    return None
