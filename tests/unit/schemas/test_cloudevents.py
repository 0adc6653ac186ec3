from datetime import UTC, datetime, timedelta, timezone

import pytest

from schemas.cloudevents import CloudEvent, MissingHeaderError, from_headers, to_headers


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
