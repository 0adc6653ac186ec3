from __future__ import annotations

from datetime import UTC, datetime

import pytest

from signalhub.region import Region, RegionError, municipality_name
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
