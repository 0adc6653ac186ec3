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


# Media types that say the value is not the Avro binary it is (JSON, XML or text, or a
# structured-mode CloudEvent): a receiver that decoded it as Avro anyway would be guessing.
_NOT_AVRO = ("json", "xml", "text/", "application/cloudevents")
REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type")


@dataclass(frozen=True)
class HeaderCheck:
    """What a receiver found in a record's CloudEvents headers (binary mode).

    `missing`: required attributes that are absent (tolerated: the body carries what matters);
    `contradiction`: the first header that contradicts the body or the binding, as
    (header, reason) without the header's value, or None."""

    missing: tuple[str, ...]
    contradiction: tuple[str, str] | None


def check_headers(headers: Headers | None, event_id: str) -> HeaderCheck:
    """Check a record's CloudEvents headers against the CloudEvents Kafka binding and the body's
    `event_id`: present headers must be UTF-8 and single, `ce_specversion` 1.0, `ce_id` the body's
    event id, `ce_time` an RFC 3339 time, `content-type` not a media type other than Avro."""
    found: dict[str, str] = {}
    for name, raw in headers or []:
        if name not in REQUIRED:
            continue
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            return HeaderCheck((), (name, "is not UTF-8"))
        if name in found and found[name] != value:
            return HeaderCheck((), (name, "appears twice with different values"))
        found[name] = value
    missing = tuple(n for n in REQUIRED if n not in found)
    return HeaderCheck(missing, _contradiction(found, event_id))


def _contradiction(found: dict[str, str], event_id: str) -> tuple[str, str] | None:
    if "ce_specversion" in found and found["ce_specversion"] != SPECVERSION:
        return "ce_specversion", f"is not {SPECVERSION}"
    if "ce_id" in found and found["ce_id"] != event_id:
        return "ce_id", "differs from the body's event_id"
    if "ce_time" in found:
        try:
            time = datetime.fromisoformat(found["ce_time"].replace("Z", "+00:00"))
        except ValueError:
            return "ce_time", "is not an RFC 3339 time"
        if time.tzinfo is None:
            return "ce_time", "has no time zone offset"
    media = found.get("content-type", "").strip().lower()
    if any(marker in media for marker in _NOT_AVRO):
        return "content-type", "names a media type other than Avro"
    return None
