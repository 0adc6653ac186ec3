from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from producers.simulator.catalog import OKTMO
from signalhub.region import DATA_DIR, Region, RegionError, municipality_name, municipality_names
from signalhub.settings import Settings


def test_the_zone_follows_the_region_code_and_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().region().zone.key == "Asia/Novosibirsk"
    monkeypatch.setenv("SIGNALHUB_REGION_CODE", "39")
    assert Settings().region().zone.key == "Europe/Kaliningrad"
    monkeypatch.setenv("SIGNALHUB_TIMEZONE", "Europe/Moscow")
    assert Settings().region().zone.key == "Europe/Moscow"


def test_every_region_has_a_real_zone() -> None:
    codes = [f"{n:02d}" for n in range(1, 96)]
    known = [Region.of(code) for code in codes if code not in {"80", "81", "82", "84", "85", "88"}]
    assert len(known) == 89
    assert {r.zone.key for r in known} >= {"Europe/Kaliningrad", "Europe/Moscow", "Asia/Kamchatka"}


def test_unknown_region_or_zone_names_the_setting() -> None:
    with pytest.raises(RegionError, match="SIGNALHUB_REGION_CODE"):
        Region.of("00")
    with pytest.raises(RegionError, match="SIGNALHUB_TIMEZONE"):
        Region.of("54", "Mars/Olympus")


def test_zone_label_names_the_zone_and_its_offset() -> None:
    assert Region.of("54").zone_label(datetime(2026, 12, 1, tzinfo=UTC)) == "Asia/Novosibirsk, UTC+7"
    assert Region.of("77").zone_label(datetime(2026, 12, 1, tzinfo=UTC)) == "Europe/Moscow, UTC+3"


def test_municipalities_by_name() -> None:
    assert municipality_name("50701000001") == "г. Новосибирск"
    assert municipality_name("50623151") == "р.п. Коченёво, Коченёвский район"
    assert municipality_name("99999999") == "ОКТМО 99999999"


def _control_number(code: str) -> int:
    """OKTMO's control number (ОК 033-2013, as for OKATO): digits weighted 1, 2, ... 10, 1 ...
    modulo 11; a remainder of 10 is retried with weights starting at 3; 10 again gives 0."""
    for first in (1, 3):
        remainder = sum(int(d) * ((first - 1 + i) % 10 + 1) for i, d in enumerate(code)) % 11
        if remainder < 10:
            return remainder
    return 0


def test_every_municipality_code_carries_its_control_number() -> None:
    rows = list(csv.reader((DATA_DIR / "municipalities.csv").open(encoding="utf-8"), delimiter=";"))
    assert rows[0] == ["code", "name", "control"]
    checked = [(code, control) for code, _, control in rows[1:] if control]
    assert len(checked) == len(rows) - 5  # all but the four 11-digit localities
    assert [(c, int(k)) for c, k in checked] == [(c, _control_number(c)) for c, _ in checked]


def test_the_simulators_municipalities_are_in_the_table() -> None:
    names = municipality_names()
    assert {code: code in names for code in OKTMO.values()} == dict.fromkeys(OKTMO.values(), True)
    assert municipality_name("50615000") == "Искитимский район"  # not 50612000 (an old mistake)
    assert municipality_name("50717000001") == "г. Обь"
