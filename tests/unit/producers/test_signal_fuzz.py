"""Fuzz the one validation: a valid signal with one field made hostile is either a valid model
that the codec round-trips, or a `SignalValidationError` that names fields and never quotes the
hostile value; nothing else escapes (issue 13)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.codec import Codec
from signalhub.signals import SignalValidationError, validate_signal
from tests.fixtures.hostile import hostile_field
from tests.fixtures.intake import HUB_RULES, make_family, make_signal

CODEC = Codec("RiskSignal")
SIGNAL = make_signal(make_family(7), "police", record="fuzz-1")


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def _plausible(signal: dict[str, Any]) -> None:
    """What an accepted signal must be (finding 5): no control characters, the hub's region,
    people born 1900 or later."""
    assert not any(
        unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t\r" for t in _texts(signal) for c in t
    )
    assert signal["region_code"] == HUB_RULES.region_code
    for person in (*signal["children"], *signal["adults"]):
        assert person["birth_date"] is None or person["birth_date"] >= date(1900, 1, 1)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.data())
def test_hostile_field_is_valid_or_a_named_rejection_without_its_value(data: st.DataObject) -> None:
    hostile = data.draw(hostile_field(SIGNAL))
    try:
        model = validate_signal(hostile, HUB_RULES)
    except SignalValidationError as e:
        error = e
    else:
        assert validate_signal(CODEC.decode(CODEC.encode(model.to_avro())), HUB_RULES) == model
        _plausible(model.model_dump(mode="python"))
        return
    assert error.errors
    assert all(err.path and err.reason for err in error.errors)
    planted = {t for t in _texts(hostile) if len(t) >= 6 and t not in _texts(SIGNAL)}
    assert not any(t in str(error) for t in planted)
