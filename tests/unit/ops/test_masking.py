"""Operators see dead letters without personal data: every identifying field is masked."""

from __future__ import annotations

import json

from schemas.codec import Codec
from signalhub.masking import mask, masked_body
from tests.unit.schemas.samples import risk_signal

PERSONAL = [
    "Иванова", "Алёна", "Сергеевна", "Мария", "Петровна", "2023-05-02", "1998-11-20", "05-02",
    "123456", "112-233-445 95", "11223344595", "Победы", "кв. 12", "+74722000000", "Дежурная",
    "семейного конфликта",
]  # fmt: skip


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def test_decoded_signal_shows_no_personal_data_and_keeps_what_operators_need() -> None:
    body = masked_body(Codec("RiskSignal").encode(risk_signal()))
    text = _text(body)
    for value in PERSONAL:
        assert value not in text, value
    record = body["record"]
    assert record["agency"] == "police"
    assert record["signal_type"] == "domestic_violence"
    assert record["source_record_id"] == "КУСП-1234/2026"
    assert record["municipality_code"] == "14610000"
    assert record["occurred_at"].startswith("2026-03-14T09:26:53")


def test_names_birth_dates_and_sex_are_hidden_whole_identifiers_keep_shape() -> None:
    """No initials, birth years or sex: with the municipality and the dates they point at a child."""
    child = mask(risk_signal())["children"][0]
    mother = mask(risk_signal())["adults"][0]
    assert (child["surname"], child["first_name"], child["patronymic"]) == ("***", "***", "***")
    assert child["birth_date"] == "***"
    assert child["sex"] == "***"
    assert child["birth_cert"] == "**-** ******"
    assert mother["snils"] == "***-***-*** **"
    assert child["role"] == "child"


def test_address_and_free_text_are_hidden() -> None:
    masked = mask(risk_signal())
    assert masked["address"]["text"] == "***"
    assert masked["address"]["locality"] == "Б***"
    assert masked["address"]["flat"] == "***"
    assert masked["description"].endswith("characters hidden)")
    assert masked["reporter"]["phone"] == "+***********"
    assert mask({"address": "г. Белгород, ул. Победы"}) == {"address": "***"}


def test_missing_values_stay_missing() -> None:
    assert mask({"patronymic": None, "snils": None, "birth_date": None}) == {
        "patronymic": None,
        "snils": None,
        "birth_date": None,
    }


def test_undecodable_bytes_show_only_size_and_magic() -> None:
    raw = "Иванова Мария 1998-11-20".encode()
    body = masked_body(raw)
    assert body == {"undecodable": "wrong_magic", "size": len(raw), "first_bytes": raw[:2].hex()}


def test_json_body_shows_field_names_only() -> None:
    raw = json.dumps({"surname": "Иванова", "note": "Петровна живёт на ул. Победы"}, ensure_ascii=False)
    body = masked_body(raw.encode())
    assert body["json_fields"] == ["note", "surname"]
    assert "Иванова" not in _text(body)
    assert "Победы" not in _text(body)
