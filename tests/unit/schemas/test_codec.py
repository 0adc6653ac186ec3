import hashlib
import io
import uuid

import pytest
from fastavro import schemaless_writer

from schemas.codec import HEADER_LEN, MAGIC, Codec
from schemas.errors import SerializationError, SerializationReason
from schemas.registry import by_fingerprint, versions
from tests.unit.schemas.samples import AT, risk_signal

# Pinned: changing a schema or the codec changes these bytes, and that must be deliberate.
PINNED_PREFIX = "c30196543529aaf7a205"
PINNED_LEN = 511


def test_encoding_is_single_object_with_newest_fingerprint() -> None:
    data = Codec("RiskSignal").encode(risk_signal())
    assert data[:2] == MAGIC
    assert data[2:HEADER_LEN] == versions("RiskSignal")[-1].fingerprint
    assert data.hex()[:20] == PINNED_PREFIX
    assert len(data) == PINNED_LEN


def test_exact_bytes_are_pinned() -> None:
    data = Codec("RiskSignal").encode(risk_signal())
    assert (
        hashlib.sha256(data).hexdigest() == "778fc13f5f90037fa9ca35f758afc271628bfdc1b04b631b332256dee56ac376"
    )


def test_small_receipt_bytes_are_pinned_whole() -> None:
    data = Codec("SignalReceipt").encode(
        {
            "receipt_id": "00000000-0000-4000-8000-000000000001",
            "event_id": "e1",
            "agency": "police",
            "source_record_id": None,
            "status": "duplicate",
            "processed_at": AT,
        }
    )
    assert data.hex() == PINNED_RECEIPT


def test_roundtrip_keeps_every_field() -> None:
    codec = Codec("RiskSignal")
    decoded = codec.decode(codec.encode(risk_signal()))
    expected = risk_signal()
    assert str(decoded.pop("event_id")) == expected.pop("event_id")
    assert decoded == expected


def test_fingerprint_matches_avro_spec_vector() -> None:
    # CRC-64-AVRO of the canonical form "null" is 7195948357588979594 (Avro spec test data), little-endian.
    from fastavro.schema import fingerprint

    assert (
        int.from_bytes(bytes.fromhex(fingerprint('"null"', "CRC-64-AVRO")), "little") == 7195948357588979594
    )


def test_older_writer_is_read_into_newest_schema() -> None:
    v1 = versions("RiskSignal")[0]
    sample = risk_signal()
    sample.pop("legal_basis")
    sample["address"].pop("fias_guid")
    body = io.BytesIO()
    schemaless_writer(body, v1.parsed, sample)
    decoded = Codec("RiskSignal").decode(MAGIC + v1.fingerprint + body.getvalue())
    assert decoded["legal_basis"] is None
    assert decoded["address"]["fias_guid"] is None
    assert decoded["children"][0]["first_name"] == "Алёна"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", SerializationReason.TRUNCATED),
        (b"\x00\x01garbage-garbage", SerializationReason.WRONG_MAGIC),
        (b'{"json": true}', SerializationReason.WRONG_MAGIC),
        (MAGIC + b"\x00" * 8 + b"\x02", SerializationReason.UNKNOWN_FINGERPRINT),
        (MAGIC + b"\x01", SerializationReason.TRUNCATED),
    ],
)
def test_bad_bytes_raise_a_specific_reason(data: bytes, reason: SerializationReason) -> None:
    with pytest.raises(SerializationError) as info:
        Codec("RiskSignal").decode(data)
    assert info.value.reason is reason


def test_truncated_body() -> None:
    data = Codec("RiskSignal").encode(risk_signal())
    with pytest.raises(SerializationError) as info:
        Codec("RiskSignal").decode(data[:-40])
    assert info.value.reason is SerializationReason.TRUNCATED


def test_message_of_another_contract_is_refused() -> None:
    receipt = Codec("SignalReceipt").encode(
        {
            "receipt_id": str(uuid.uuid4()),
            "event_id": "e",
            "agency": "police",
            "status": "accepted",
            "processed_at": 0,
        }
    )
    with pytest.raises(SerializationError) as info:
        Codec("RiskSignal").decode(receipt)
    assert info.value.reason is SerializationReason.WRONG_SCHEMA


def test_field_error_names_the_field_not_the_value() -> None:
    bad = risk_signal()
    bad["children"][0]["surname"] = 12345
    with pytest.raises(SerializationError) as info:
        Codec("RiskSignal").encode(bad)
    assert info.value.reason is SerializationReason.FIELD_ERROR
    assert "children" in str(info.value)  # the field path as far as the encoder names it
    assert "12345" not in str(info.value)


def test_fingerprints_are_unique_across_contracts() -> None:
    assert len(by_fingerprint()) == sum(
        len(versions(n)) for n in ("RiskSignal", "SignalReceipt", "CaseAlert")
    )


PINNED_RECEIPT = (  # SignalReceipt v2 (source topic, partition, offset and key added, all null here)
    "c30180fa85ac934e8d6f4830303030303030302d303030302d343030302d383030302d3030303030"
    "303030303030310465310c706f6c696365000200000000aaa6dcba9d6700000000"
)


def _with_agency_index(index: int) -> bytes:
    """The sample with its `agency` enum index (right after the 36-character event id) replaced."""
    data = bytearray(Codec("RiskSignal").encode(risk_signal()))
    at = HEADER_LEN + 1 + 36
    assert data[at] == 0  # police, the first symbol
    data[at] = (index << 1) ^ (index >> 63)  # zigzag, one byte for these indexes
    return bytes(data)


@pytest.mark.parametrize("index", [-1, -21, 5, 50])
def test_enum_index_out_of_range_is_a_field_error(index: int) -> None:
    """Finding 4: fastavro reads index -1 as symbols[-1]; Apache avro rejects such bytes, so do we,
    and an index past the end is a field error, not `truncated`."""
    with pytest.raises(SerializationError) as e:
        Codec("RiskSignal").decode(_with_agency_index(index))
    assert e.value.reason is SerializationReason.FIELD_ERROR


def test_enum_index_in_range_still_decodes() -> None:
    assert Codec("RiskSignal").decode(_with_agency_index(1))["agency"] == "health"


def test_negative_union_index_is_rejected() -> None:
    """Unions have the same fastavro flaw: branch -1 of ["null", "string"] would be read as a string."""
    codec = Codec("RiskSignal")
    absent = codec.encode(risk_signal() | {"description": None})
    empty = codec.encode(risk_signal() | {"description": ""})
    at = next(i for i, (a, b) in enumerate(zip(absent, empty, strict=False)) if a != b)
    assert (absent[at], empty[at]) == (0, 2)  # branch 0 (null) and branch 1 (string), zigzag
    with pytest.raises(SerializationError) as e:
        codec.decode(absent[:at] + b"\x01" + absent[at + 1 :])  # branch -1
    assert e.value.reason is SerializationReason.FIELD_ERROR
