"""Each agency adapter on realistic Russian samples: mapping, event ids, and errors without values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from producers.adapters import ADAPTERS, AdapterError, adapters_of, default_record_type, event_id_for
from producers.adapters.education_attendance import latest_run
from producers.adapters.icd10 import normalise
from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import SignalValidationError
from tests.unit.producers import samples

REGION = Region.of("31")  # Belgorod: Moscow time, the zone the samples were written in

CASES = [
    ("police-incident", samples.police, "domestic_violence", "high"),
    ("health-notice", samples.health, "suspicious_injury", "critical"),
    ("education-attendance", samples.attendance, "prolonged_absence", "medium"),
    ("education-report", samples.teacher_report, "signs_of_neglect", "medium"),
    ("guardianship-act", samples.guardianship, "parental_rights_restricted", "high"),
    ("social-decision", samples.social, "difficult_life_situation", "medium"),
]


@pytest.mark.parametrize(("record_type", "sample", "signal_type", "severity"), CASES)
def test_sample_maps_to_signal(record_type: str, sample: Any, signal_type: str, severity: str) -> None:
    signal = ADAPTERS[record_type].convert(sample(), REGION)
    assert signal is not None
    assert signal.signal_type.value == signal_type
    assert signal.severity.value == severity
    assert signal.children
    assert all(c.role.value == "child" for c in signal.children)
    assert signal.region_code == "31"


@pytest.mark.parametrize(("record_type", "sample", "signal_type", "severity"), CASES)
def test_reexport_reuses_event_id_and_new_version_amends(
    record_type: str, sample: Any, signal_type: str, severity: str
) -> None:
    adapter = ADAPTERS[record_type]
    first, again = adapter.convert(sample(), REGION), adapter.convert(sample(), REGION)
    assert first is not None
    assert again is not None
    assert first.event_id == again.event_id
    if record_type != "education-attendance":  # its version is the run length
        amended = adapter.convert(sample() | {"version": 2}, REGION)
        assert amended is not None
        assert amended.event_id != first.event_id
        assert amended.source_record_id == first.source_record_id


def test_every_agency_has_an_adapter() -> None:
    for agency in Agency:
        assert adapters_of(agency.value)
    assert default_record_type("education") == "education-attendance"


def test_police_record_id_and_persons() -> None:
    signal = ADAPTERS["police-incident"].convert(samples.police(), REGION)
    assert signal is not None
    assert signal.source_record_id == "3104/КУСП-4812/2026"
    assert signal.event_id == event_id_for("police", "3104/КУСП-4812/2026", 1)
    assert [a.role.value for a in signal.adults] == ["mother", "other_adult"]
    assert signal.children[0].sex == "M"
    assert signal.address is not None
    assert signal.address.flat == "47"
    assert signal.address.locality == "Старый Оскол"
    assert signal.occurred_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("codes", "refusal", "born", "expected"),
    [
        ("T74.1", False, "01.01.2015", "suspicious_injury"),
        ("Y07.1", False, "01.01.2015", "suspicious_injury"),
        ("E43", False, "01.01.2020", "malnutrition"),
        ("F10.2", False, "01.01.2020", "parent_substance_treatment"),
        ("O80", True, "01.03.2026", "newborn_abandonment_risk"),
        ("Z62.0", False, "01.01.2020", "other"),
        ("S42.2", False, "10.11.2025", "suspicious_injury"),  # infant: a fracture is suspicious
    ],
)
def test_icd10_table(codes: str, refusal: bool, born: str, expected: str) -> None:
    record = samples.health() | {"icd10": codes, "refusal_of_newborn": "да" if refusal else "нет"}
    record["persons"] = [dict(samples.CHILD, birth_date=born), dict(samples.MOTHER)]
    signal = ADAPTERS["health-notice"].convert(record, REGION)
    assert signal is not None
    assert signal.signal_type.value == expected


def test_injury_of_an_older_child_alone_is_no_signal() -> None:
    record = samples.health() | {"icd10": "S42.2"}
    record["persons"] = [dict(samples.CHILD, birth_date="01.01.2015")]
    with pytest.raises(AdapterError) as caught:
        ADAPTERS["health-notice"].convert(record, REGION)
    assert [e.path for e in caught.value.errors] == ["icd10"]


def test_notice_kind_wins_without_codes() -> None:
    record = samples.health() | {"icd10": "", "notice_kind": "Пропуск профилактических осмотров"}
    signal = ADAPTERS["health-notice"].convert(record, REGION)
    assert signal is not None
    assert signal.signal_type.value == "missed_checkups"


def test_icd10_normalises_cyrillic_lookalikes() -> None:
    assert normalise(" т74.1") == "T74.1"
    assert normalise("E4") is None


def test_attendance_below_threshold_gives_no_signal() -> None:
    record = samples.attendance() | {"unexcused_absences": "02.03.2026;03.03.2026;05.03.2026"}
    assert ADAPTERS["education-attendance"].convert(record, REGION) is None


def test_attendance_run_that_grows_is_an_amendment() -> None:
    adapter = ADAPTERS["education-attendance"]
    first = adapter.convert(samples.attendance(), REGION)
    longer = samples.attendance()
    longer["unexcused_absences"] += ";10.03.2026;11.03.2026;12.03.2026;13.03.2026"
    grown = adapter.convert(longer, REGION)
    assert first is not None
    assert grown is not None
    assert grown.source_record_id == first.source_record_id
    assert grown.event_id != first.event_id
    assert grown.severity.value == "high"  # 10 days = twice the threshold


def test_latest_run_skips_weekends() -> None:
    from datetime import date

    days = [date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 11)]
    assert latest_run(days, 5, 3) == days[:3]
    assert latest_run(days, 5, 1) == [date(2026, 3, 11)]


def test_errors_name_source_fields_without_values() -> None:
    record = samples.police() | {"incident_type": "Кража велосипеда", "kusp_date": "32.13.2026"}
    record["persons"] = [dict(samples.MOTHER, role="соседка Иванова")]
    with pytest.raises(AdapterError) as caught:
        ADAPTERS["police-incident"].convert(record, REGION)
    paths = {e.path for e in caught.value.errors}
    assert paths == {"kusp_date", "incident_type", "persons[0].role", "persons"}
    text = str(caught.value)
    for value in ("Кража", "32.13.2026", "Иванова", "Кузнецова"):
        assert value not in text


def test_model_rules_apply_after_mapping() -> None:
    record = samples.police()
    record["persons"][1]["snils"] = "112-233-445 96"  # wrong checksum
    with pytest.raises(SignalValidationError) as caught:
        ADAPTERS["police-incident"].convert(record, REGION)
    assert [e.path for e in caught.value.errors] == ["children[0].snils"]
    assert "445" not in str(caught.value)


def test_naive_times_are_read_in_the_regions_zone() -> None:
    """14.03.2026 01:20 in a Novosibirsk export is 18:20 UTC the day before, in a Belgorod one 22:20."""
    novosibirsk = ADAPTERS["police-incident"].convert(samples.police(), Region.of("54"))
    belgorod = ADAPTERS["police-incident"].convert(samples.police(), REGION)
    overridden = ADAPTERS["police-incident"].convert(samples.police(), Region.of("54", "Asia/Yekaterinburg"))
    assert novosibirsk is not None
    assert belgorod is not None
    assert overridden is not None
    assert novosibirsk.occurred_at.astimezone(UTC) == datetime(2026, 3, 13, 18, 20, tzinfo=UTC)
    assert belgorod.occurred_at.astimezone(UTC) == datetime(2026, 3, 13, 22, 20, tzinfo=UTC)
    assert overridden.occurred_at.astimezone(UTC) == datetime(2026, 3, 13, 20, 20, tzinfo=UTC)
