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


def test_the_field_to_blame_is_a_header_of_its_own_when_there_is_one() -> None:
    assert letter(0, 0).field is None
    made = dlq.error_headers(
        topic="signals.police",
        partition=0,
        offset=1,
        stage="validate",
        reason="invalid_content",
        error=ValueError("invalid signal: children[0].snils: bad checksum"),
        consumer="consumers.intake",
        field="children[0].snils",
    )
    assert letter(0, 0, made).field == "children[0].snils"
    assert ("__connect.errors.field", b"children[0].snils") in made


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


def test_a_letter_too_large_for_the_topic_is_cut_with_the_original_described() -> None:
    """Finding 1: a 2 MB record must still be dead-lettered, its value cut and described."""
    import hashlib

    value = b"\xc3\x01" + bytes(range(256)) * 8192  # ~2 MB
    errors = dlq.error_headers(
        topic="signals.police", partition=1, offset=7, stage="validate", reason="invalid_content",
        error=ValueError("description: String should have at most 4000 characters"), consumer="consumers.intake",
    )  # fmt: skip
    made = dlq.make_letter(b"rec-1", value, [("ce_id", b"e-1")], errors)
    size = len(made.key or b"") + len(made.value or b"") + sum(len(k) + len(v) for k, v in made.headers)
    assert size <= dlq.MAX_LETTER_BYTES
    assert made.key == b"rec-1"
    assert value.startswith(made.value or b"")
    headers = dict(made.headers)
    assert headers["signalhub.original-size"] == str(len(value)).encode()
    assert headers["signalhub.original-sha256"] == hashlib.sha256(value).hexdigest().encode()
    assert headers["signalhub.truncated"] == b"value"
    assert headers["ce_id"] == b"e-1"
    assert headers["__connect.errors.offset"] == b"7"
    small = dlq.make_letter(b"rec-1", b"\xc3\x01", [("ce_id", b"e-1")], errors)
    assert small.value == b"\xc3\x01"
    assert "signalhub.truncated" not in dict(small.headers)
