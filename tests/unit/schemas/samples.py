"""A fixed sample of each contract, used to pin bytes and to test interop."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

AT = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)


def risk_signal() -> dict[str, Any]:
    return {
        "event_id": "0b9f1c2e-7d3a-4e57-9a61-3f0c2b8d4e11",
        "agency": "police",
        "source_system": "ИСОД МВД",
        "source_record_id": "КУСП-1234/2026",
        "signal_type": "domestic_violence",
        "severity": "high",
        "occurred_at": AT,
        "reported_at": AT,
        "region_code": "31",
        "municipality_code": "14610000",
        "children": [
            {
                "role": "child",
                "surname": "Иванова",
                "first_name": "Алёна",
                "patronymic": "Сергеевна",
                "birth_date": date(2023, 5, 2),
                "sex": "F",
                "snils": None,
                "birth_cert": "II-ЛО 123456",
                "oms_policy": None,
            }
        ],
        "adults": [
            {
                "role": "mother",
                "surname": "Иванова",
                "first_name": "Мария",
                "patronymic": "Петровна",
                "birth_date": date(1998, 11, 20),
                "sex": "F",
                "snils": "112-233-445 95",
                "birth_cert": None,
                "oms_policy": None,
            }
        ],
        "address": {
            "text": "г. Белгород, ул. Победы, д. 5, кв. 12",
            "locality": "Белгород",
            "street": "Победы",
            "house": "5",
            "flat": "12",
            "fias_guid": None,
        },
        "description": "Вызов по факту семейного конфликта, в квартире ребёнок 2 лет.",
        "reporter": {"name": "Дежурная часть", "position": None, "phone": "+74722000000", "email": None},
        "legal_basis": None,
    }
