"""Fuzz: any mutation of valid bytes either decodes to a record whose canonical encoding is those
very bytes, or raises the codec's own `SerializationError`; nothing else escapes (issue 13)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.codec import HEADER_LEN, Codec
from schemas.errors import SerializationError
from tests.fixtures.hostile import mutated_bytes
from tests.unit.schemas.samples import risk_signal

CODEC = Codec("RiskSignal")
VALID = CODEC.encode(risk_signal())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_bytes_decode_exactly_or_raise_serialization_error(data: st.DataObject) -> None:
    mutated = data.draw(mutated_bytes(VALID))
    try:
        record = CODEC.decode(mutated)
    except SerializationError as e:
        error = e
    else:
        assert CODEC.encode(record)[HEADER_LEN:] == mutated[HEADER_LEN:]
        return
    assert str(error).startswith(error.reason.value + ": ")
