"""Reading records: each bad-input kind gets its stage and reason, never a personal value."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from psycopg import errors as pg
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from consumers.intake.faults import Backoff, Fault, classify
from consumers.intake.messages import Accepted, Rejected, dead_letter, read
from schemas.codec import Codec
from tests.fixtures.intake import HUB_RULES, FakeRecord, make_family, make_signal

CODEC = Codec("RiskSignal")


def test_valid_signal_is_accepted(record_factory: Callable[..., FakeRecord]) -> None:
    item = read(record_factory(make_signal(make_family(1))), "police", CODEC, HUB_RULES)
    assert isinstance(item, Accepted)
    assert item.ce_time is not None


def test_bad_inputs_are_rejected_with_reasons(record_factory: Callable[..., FakeRecord]) -> None:
    fam = make_family(1)
    good = record_factory(make_signal(fam))
    cases = {
        "undecodable": FakeRecord("signals.police", 0, 1, b"k", b"garbage", good.headers),
        "unknown_schema": FakeRecord(
            "signals.police", 0, 2, b"k", b"\xc3\x01" + b"\x01" * 8 + b"x", good.headers
        ),
    }
    for reason, record in cases.items():
        item = read(record, "police", CODEC, HUB_RULES)
        assert isinstance(item, Rejected)
        assert (item.reason, item.stage) == (reason, "deserialize")
    mismatch = read(record_factory(make_signal(fam, "health")), "police", CODEC, HUB_RULES)
    assert isinstance(mismatch, Rejected)
    assert mismatch.reason == "agency_mismatch"
    assert mismatch.agency == "police"  # the publisher is told, on its own receipts topic
    headers = dict(dead_letter(mismatch).headers)
    assert headers["__connect.errors.stage"] == b"authorise"
    assert headers["__connect.errors.offset"] == str(mismatch.position[2]).encode()
    assert fam.surname.encode() not in b"".join(v for k, v in headers.items() if k.startswith("__connect"))


def _db_error(error: Exception) -> DBAPIError:
    return DBAPIError.instance("INSERT", {}, error, psycopg.Error)


def test_faults_are_classified_once() -> None:
    """Finding 9: a deterministic constraint violation is the record's fault, not a transient one."""
    assert classify(OperationalError("SELECT 1", {}, Exception("down"))) is Fault.TRANSIENT
    assert classify(_db_error(pg.SerializationFailure("x"))) is Fault.TRANSIENT
    assert classify(_db_error(pg.DeadlockDetected("x"))) is Fault.TRANSIENT
    assert classify(_db_error(pg.UniqueViolation("x"))) is Fault.TRANSIENT  # a concurrent writer won
    assert classify(_db_error(pg.NotNullViolation("x"))) is Fault.RECORD
    assert classify(_db_error(pg.CheckViolation("x"))) is Fault.RECORD
    assert classify(_db_error(pg.DataError("x"))) is Fault.RECORD
    assert classify(_db_error(pg.UndefinedTable("x"))) is Fault.SHARED
    assert classify(IntegrityError("INSERT", {}, Exception("NOT NULL constraint failed: x"))) is Fault.RECORD
    assert classify(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: x"))) is Fault.TRANSIENT
    assert classify(KafkaTimeoutError()) is Fault.TRANSIENT
    assert classify(KafkaConnectionError()) is Fault.TRANSIENT
    assert classify(ValueError("bug")) is Fault.RECORD
    # COPY runs on the raw driver connection: its errors arrive unwrapped.
    assert classify(psycopg.OperationalError("connection lost")) is Fault.TRANSIENT
    assert classify(pg.SerializationFailure("x")) is Fault.TRANSIENT
    assert classify(pg.UniqueViolation("x")) is Fault.TRANSIENT
    assert classify(pg.CheckViolation("x")) is Fault.RECORD
    assert classify(pg.UndefinedTable("x")) is Fault.SHARED


def test_backoff() -> None:
    backoff = Backoff(0.1, 0.5)
    assert [backoff.next() for _ in range(4)] == [0.1, 0.2, 0.4, 0.5]
    backoff.reset()
    assert backoff.next() == 0.1
