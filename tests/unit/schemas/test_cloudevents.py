from datetime import UTC, datetime, timedelta, timezone

import pytest

from schemas.cloudevents import (
    REQUIRED,
    CloudEvent,
    HeaderCheck,
    MissingHeaderError,
    check_headers,
    from_headers,
    to_headers,
)


def test_headers_roundtrip_in_utc() -> None:
    msk = timezone(timedelta(hours=3))
    event = CloudEvent(
        id="e-1",
        source="mvd/isod",
        type="ru.signalhub.signal.domestic_violence",
        time=datetime(2026, 3, 14, 12, 0, 0, 123000, tzinfo=msk),
    )
    headers = to_headers(event)
    assert dict(headers)["ce_time"] == b"2026-03-14T09:00:00.123Z"
    assert dict(headers)["ce_specversion"] == b"1.0"
    assert dict(headers)["content-type"] == b"application/avro"
    back = from_headers(headers)
    assert back.time == event.time.astimezone(UTC)
    assert back.id == "e-1"


def test_missing_header_is_named() -> None:
    headers = [h for h in to_headers(CloudEvent("e", "s", "t", datetime.now(UTC))) if h[0] != "ce_source"]
    with pytest.raises(MissingHeaderError, match="ce_source"):
        from_headers(headers)


# Finding 6 (issue 13): headers a conforming receiver rejects, and what it tolerates.
EVENT_ID = "0b9f1c2e-7d3a-4e57-9a61-3f0c2b8d4e11"


def _headers(**changes: bytes | None) -> list[tuple[str, bytes]]:
    made = to_headers(
        CloudEvent(EVENT_ID, "police/isod", "ru.signalhub.signal.domestic_violence", datetime.now(UTC))
    )
    out = [(k, changes.get(k.replace("-", "_"), v)) for k, v in made]
    return [(k, v) for k, v in out if v is not None]


@pytest.mark.parametrize(
    ("changes", "contradiction"),
    [
        ({"ce_id": b"another-id"}, ("ce_id", "differs from the body's event_id")),
        ({"ce_specversion": b"0.3"}, ("ce_specversion", "is not 1.0")),
        ({"ce_time": b"yesterday"}, ("ce_time", "is not an RFC 3339 time")),
        ({"ce_time": b"2026-03-14T09:00:00"}, ("ce_time", "has no time zone offset")),
        ({"content_type": b"application/json"}, ("content-type", "names a media type other than Avro")),
        (
            {"content_type": b"application/cloudevents+json"},
            ("content-type", "names a media type other than Avro"),
        ),
        ({"ce_id": b"\xff\xfe"}, ("ce_id", "is not UTF-8")),
    ],
)
def test_headers_contradicting_the_body_or_binding_are_named(
    changes: dict[str, bytes], contradiction: tuple[str, str]
) -> None:
    assert check_headers(_headers(**changes), EVENT_ID).contradiction == contradiction


def test_absent_headers_are_tolerated_and_listed() -> None:
    found = check_headers(_headers(ce_time=None, content_type=None), EVENT_ID)
    assert found.contradiction is None
    assert found.missing == ("ce_time", "content-type")
    assert check_headers([], EVENT_ID).missing == REQUIRED
    assert check_headers(_headers(), EVENT_ID) == HeaderCheck((), None)


def test_a_header_twice_with_different_values_is_a_contradiction() -> None:
    twice = [*_headers(), ("ce_id", b"other")]
    assert check_headers(twice, EVENT_ID).contradiction == ("ce_id", "appears twice with different values")
