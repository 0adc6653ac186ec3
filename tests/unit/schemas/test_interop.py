"""Interop with the Apache `avro` library, a different implementation, both ways."""

import io
import json
from datetime import date

import avro.io
import avro.schema

from schemas.codec import HEADER_LEN, MAGIC, Codec
from schemas.registry import latest
from tests.unit.schemas.samples import risk_signal


def _apache_schema() -> avro.schema.Schema:
    return avro.schema.parse(json.dumps(latest("RiskSignal").raw))


def test_apache_avro_reads_what_we_write() -> None:
    data = Codec("RiskSignal").encode(risk_signal())
    assert data[:2] == MAGIC
    reader = avro.io.DatumReader(_apache_schema())
    record = reader.read(avro.io.BinaryDecoder(io.BytesIO(data[HEADER_LEN:])))
    assert record["children"][0]["surname"] == "Иванова"
    assert record["children"][0]["birth_date"] == date(2023, 5, 2)
    assert record["adults"][0]["snils"] == "112-233-445 95"
    assert str(record["event_id"]) == risk_signal()["event_id"]


def test_we_read_what_apache_avro_writes() -> None:
    out = io.BytesIO()
    avro.io.DatumWriter(_apache_schema()).write(risk_signal(), avro.io.BinaryEncoder(out))
    # Apache avro's Python canonical form keeps logical-type wrappers, unlike the spec and Java,
    # so the header carries the spec fingerprint that every other implementation computes.
    message = MAGIC + latest("RiskSignal").fingerprint + out.getvalue()
    decoded = Codec("RiskSignal").decode(message)
    assert decoded["address"]["text"] == risk_signal()["address"]["text"]
    assert decoded["children"][0]["first_name"] == "Алёна"


def test_fingerprint_agrees_with_apache_avro_where_its_canonical_form_follows_the_spec() -> None:
    from schemas.registry import versions

    for v in versions("SignalReceipt"):
        raw = json.loads(json.dumps(v.raw).replace('{"type": "string", "logicalType": "uuid"}', '"string"'))
        raw = json.loads(
            json.dumps(raw).replace('{"type": "long", "logicalType": "timestamp-millis"}', '"long"')
        )
        assert avro.schema.parse(json.dumps(raw)).fingerprint("CRC-64-AVRO") == v.fingerprint
