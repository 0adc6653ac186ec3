"""Dead letters: reason and source read from Kafka Connect style headers; selection; replay headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.errors import SerializationError, SerializationReason
from signalhub import dlq


def letter(partition: int, offset: int, headers: list[tuple[str, bytes]] | None = None) -> dlq.DeadLetter:
    error = SerializationError(SerializationReason.WRONG_MAGIC, "expected magic c301, found 7b22")
    made = dlq.error_headers(
        topic="signals.police",
        partition=2,
        offset=41,
        stage="decode",
        reason="wrong_magic",
        error=error,
        consumer="consumers.intake",
    )
    return dlq.DeadLetter(
        partition=partition,
        offset=offset,
        timestamp=datetime(2026, 3, 14, tzinfo=UTC),
        key=b"subject-1",
        value=b"{}",
        headers=[("ce_id", b"e-1"), *(made if headers is None else headers)],
    )


def test_error_headers_follow_kafka_connect_names() -> None:
    found = letter(0, 0)
    assert found.source_topic == "signals.police"
    assert (found.source_partition, found.source_offset) == (2, 41)
    assert found.stage == "decode"
    assert found.reason == "wrong_magic"
    assert found.error("exception.class.name") == "schemas.errors.SerializationError"
    assert found.error("exception.message") == "wrong_magic: expected magic c301, found 7b22"


def test_reason_without_reason_header_comes_from_message_code_or_class() -> None:
    by_code = letter(0, 0, [("__connect.errors.exception.message", b"field_error: body is not valid")])
    assert by_code.reason == "field_error"
    by_class = letter(
        0,
        0,
        [
            ("__connect.errors.exception.message", b"Invalid signal: children[0].snils: bad checksum"),
            ("__connect.errors.exception.class.name", b"signalhub.signals.SignalValidationError"),
        ],
    )
    assert by_class.reason == "SignalValidationError"
    assert letter(0, 0, []).reason == "unknown"


def test_replay_headers_drop_errors_keep_originals_and_mark_the_replay() -> None:
    errors = letter(0, 0).headers[1:]
    replayed = letter(1, 7, [*errors, ("content-type", b"application/avro"), (dlq.REPLAYED_FROM, b"old")])
    headers = replayed.replay_headers("signals.dlq")
    assert headers == [
        ("ce_id", b"e-1"),
        ("content-type", b"application/avro"),
        (dlq.REPLAYED_FROM, b"signals.dlq:1:7"),
    ]


def test_select_by_ref_bare_offset_and_reason() -> None:
    letters = [letter(0, 5), letter(1, 5), letter(1, 6)]
    assert [d.ref for d in dlq.select(letters, ["1:5", "0:5"])] == ["1:5", "0:5"]
    assert [d.ref for d in dlq.select(letters, ["6"])] == ["1:6"]
    assert [d.ref for d in dlq.select(letters)] == ["0:5", "1:5", "1:6"]
    assert dlq.select(letters, reason="field_error") == []
    with pytest.raises(LookupError, match="several partitions"):
        dlq.select(letters, ["5"])
    with pytest.raises(LookupError, match="no dead letter"):
        dlq.select(letters, ["3:5"])
    with pytest.raises(LookupError, match="not partition:offset"):
        dlq.select(letters, ["x"])
