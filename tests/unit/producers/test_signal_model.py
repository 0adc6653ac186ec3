"""`RiskSignalModel`: the Avro round trip, every rule, and errors that carry no personal data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.codec import Codec
from signalhub.signals import (
    RiskSignalModel,
    SignalRules,
    SignalValidationError,
    field_errors,
    validate_signal,
)
from tests.unit.schemas.samples import risk_signal


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SignalValidationError) as caught:
        validate_signal(data)
    return {e.path: e.reason for e in caught.value.errors}


def test_avro_round_trip_is_identity() -> None:
    codec = Codec("RiskSignal")
    model = validate_signal(risk_signal())
    data = codec.encode(model.to_avro())
    assert data == codec.encode(risk_signal())
    assert RiskSignalModel.from_avro(codec.decode(data)) == model


def test_json_round_trip() -> None:
    model = validate_signal(risk_signal())
    assert RiskSignalModel.model_validate_json(model.model_dump_json()) == model


def test_extra_fields_are_forbidden() -> None:
    assert "nickname" in errors_of(risk_signal() | {"nickname": "x"})
    child = risk_signal()["children"][0] | {"passport": "4510 123456"}
    assert "children[0].passport" in errors_of(risk_signal() | {"children": [child]})


@pytest.mark.parametrize("key", ["\u0000", "Иванова Мария", "a b", "1234567890", "x" * 65])
def test_an_unknown_key_that_is_no_field_name_is_not_echoed(key: str) -> None:
    """The sender's key is named in the path only when it looks like a field name (as above): a
    key may hold a person's name or a control character (found by the gateway's fuzz test)."""
    child = risk_signal()["children"][0] | {key: None}
    found = errors_of(risk_signal() | {"children": [child]})
    assert "children[0].<unknown field>" in found
    assert not any(key in path for path in found)


def test_at_least_one_child() -> None:
    assert "children" in errors_of(risk_signal() | {"children": []})


def test_signal_type_belongs_to_agency_and_other_is_allowed() -> None:
    assert "signal_type" in errors_of(risk_signal() | {"signal_type": "malnutrition"})
    assert validate_signal(risk_signal() | {"signal_type": "other"}).signal_type.value == "other"


@pytest.mark.parametrize("code", ["14610000", "14610000001"])
def test_oktmo_8_or_11_digits(code: str) -> None:
    assert validate_signal(risk_signal() | {"municipality_code": code}).municipality_code == code


@pytest.mark.parametrize("code", ["1461000", "146100000", "1461000A"])
def test_oktmo_rejected(code: str) -> None:
    assert "municipality_code" in errors_of(risk_signal() | {"municipality_code": code})


def test_snils_checksum_checked_when_present() -> None:
    adult = risk_signal()["adults"][0]
    assert "adults[0].snils" in errors_of(risk_signal() | {"adults": [adult | {"snils": "112-233-445 96"}]})
    assert validate_signal(risk_signal() | {"adults": [adult | {"snils": None}]}).adults[0].snils is None


def test_other_identifiers_pass_as_recorded() -> None:
    child = risk_signal()["children"][0] | {"birth_cert": "II №ЛО 123456", "oms_policy": "3155 0000"}
    assert validate_signal(risk_signal() | {"children": [child]}).children[0].birth_cert == "II №ЛО 123456"


def test_birth_date_not_in_future() -> None:
    child = risk_signal()["children"][0] | {"birth_date": date.today() + timedelta(days=30)}
    assert "children[0].birth_date" in errors_of(risk_signal() | {"children": [child]})


def test_roles_match_lists() -> None:
    child = risk_signal()["children"][0]
    adult = risk_signal()["adults"][0]
    assert "children" in errors_of(risk_signal() | {"children": [adult]})
    assert "adults" in errors_of(risk_signal() | {"adults": [child]})


def test_times_are_aware_and_ordered() -> None:
    assert "occurred_at" in errors_of(risk_signal() | {"occurred_at": datetime(2026, 3, 1, 10, 0)})
    future = datetime.now(UTC) + timedelta(hours=1)
    assert "reported_at" in errors_of(risk_signal() | {"reported_at": future, "occurred_at": future})
    late = risk_signal()["reported_at"] + timedelta(days=1)
    assert errors_of(risk_signal() | {"occurred_at": late}) == {
        "reported_at": "reported_at is before occurred_at"
    }


def test_every_error_is_reported_with_paths_and_no_values() -> None:
    data = risk_signal() | {"event_id": "Иванова-Мария", "severity": "Иванова", "region_code": "Белгород"}
    data["adults"] = [data["adults"][0] | {"snils": "112-233-445 96", "surname": ""}]
    with pytest.raises(SignalValidationError) as caught:
        validate_signal(data)
    paths = [e.path for e in caught.value.errors]
    assert paths == ["event_id", "severity", "region_code", "adults[0].surname", "adults[0].snils"]
    text = str(caught.value) + repr(caught.value.errors)
    for value in ("Иванова", "Мария", "Белгород", "445"):
        assert value not in text


def test_field_errors_of_a_raw_pydantic_error() -> None:
    with pytest.raises(ValidationError) as caught:
        RiskSignalModel.model_validate(risk_signal() | {"occurred_at": "2026-13-45Tzz"})
    (error,) = field_errors(caught.value)
    assert error.path == "occurred_at"
    assert "2026-13" not in error.reason


def test_model_is_frozen() -> None:
    model = validate_signal(risk_signal())
    with pytest.raises(ValidationError):
        model.severity = "low"  # type: ignore[assignment,misc]


# Finding 5 (issue 13): impossible values that were accepted.
HUB = SignalRules(region_code="31")


def hub_errors(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(SignalValidationError) as caught:
        validate_signal(data, HUB)
    assert "Ива" not in str(caught.value)
    assert "0001-01-01" not in str(caught.value)
    return {e.path: e.reason for e in caught.value.errors}


@pytest.mark.parametrize("born", [date(1, 1, 1), date(1800, 1, 1), date(1899, 12, 31)])
def test_birth_date_before_1900_is_rejected(born: date) -> None:
    adult = risk_signal()["adults"][0] | {"birth_date": born}
    assert hub_errors(risk_signal() | {"adults": [adult]}) == {
        "adults[0].birth_date": "birth date is before 1900-01-01"
    }


def test_child_18_or_older_at_occurred_at_is_rejected() -> None:
    child = risk_signal()["children"][0] | {"birth_date": date(2000, 1, 1)}
    assert hub_errors(risk_signal() | {"children": [child]}) == {
        "children[0].birth_date": "child is 18 or older at occurred_at"
    }


def test_occurred_at_beyond_the_configured_span_is_rejected() -> None:
    old = datetime(1900, 1, 1, tzinfo=UTC)
    assert hub_errors(risk_signal() | {"occurred_at": old}) == {
        "occurred_at": f"is more than {HUB.max_age.days} days in the past"
    }
    recent = datetime.now(UTC) - timedelta(days=30)
    short = SignalRules(region_code="31", max_age=timedelta(days=7))
    with pytest.raises(SignalValidationError):
        validate_signal(risk_signal() | {"occurred_at": recent, "reported_at": recent}, short)
    assert validate_signal(risk_signal() | {"occurred_at": recent, "reported_at": recent}, HUB)


def test_region_code_of_another_hub_is_rejected() -> None:
    assert hub_errors(risk_signal() | {"region_code": "77"}) == {
        "region_code": "is not the region code of this hub"
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Ива\x00нова", "must not contain control characters"),
        ("Иванова\x1b[2J", "must not contain control characters"),
        ("Ива\u200bнова", "must not contain control characters"),  # zero-width space (Cf)
        ("\u202eавонавИ", "must not contain control characters"),  # right-to-left override
        ("Ива\ud800нова", "Input should be a valid string"),  # lone surrogate (pydantic's own rule)
        ("\u0301Иванова", "must not contain a combining mark that follows no letter"),
        ("Иванова-\u0308Петрова", "must not contain a combining mark that follows no letter"),
    ],
)
def test_names_without_control_characters_or_lone_combining_marks(text: str, reason: str) -> None:
    child = risk_signal()["children"][0] | {"surname": text}
    assert hub_errors(risk_signal() | {"children": [child]}) == {"children[0].surname": reason}


def test_combining_marks_after_letters_and_line_breaks_in_prose_are_kept() -> None:
    child = risk_signal()["children"][0] | {"first_name": "Алёна"}  # е + U+0308
    signal = validate_signal(
        risk_signal() | {"children": [child], "description": "Строка 1\nСтрока 2\tконец"}, HUB
    )
    assert signal.children[0].first_name == "Алёна"
    assert "source_record_id" in hub_errors(risk_signal() | {"source_record_id": "КУСП\x00-1"})
    assert "description" in hub_errors(risk_signal() | {"description": "текст\x07"})
