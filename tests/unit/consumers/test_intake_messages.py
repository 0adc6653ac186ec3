"""Reading records: each bad-input kind gets its stage and reason, never a personal value."""

from __future__ import annotations

from collections.abc import Callable

from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from sqlalchemy.exc import IntegrityError, OperationalError

from consumers.intake.dlq import dead_letter_headers
from consumers.intake.loop import Backoff, is_transient
from consumers.intake.messages import Accepted, Rejected, read
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
    headers = dict(dead_letter_headers(mismatch))
    assert headers["__connect.errors.stage"] == b"authorise"
    assert headers["__connect.errors.offset"] == str(mismatch.position[2]).encode()
    assert fam.surname.encode() not in b"".join(v for k, v in headers.items() if k.startswith("__connect"))


def test_transient_faults_and_backoff() -> None:
    assert is_transient(OperationalError("SELECT 1", {}, Exception("down")))
    assert is_transient(IntegrityError("INSERT", {}, Exception("unique")))
    assert is_transient(KafkaTimeoutError())
    assert is_transient(KafkaConnectionError())
    assert not is_transient(ValueError("bug"))
    backoff = Backoff(0.1, 0.5)
    assert [backoff.next() for _ in range(4)] == [0.1, 0.2, 0.4, 0.5]
    backoff.reset()
    assert backoff.next() == 0.1
