"""`import_file` against the real broker: good rows published once, bad rows reported, resumable."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from producers.file_import import import_file
from producers.import_state import state_path
from producers.publisher import Publisher
from producers.rows import FileFormat, write_csv
from schemas.codec import Codec
from signalhub.region import Region
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel
from tests.fixtures.intake import HUB_RULES
from tests.integration.producers.helpers import headers_of, read_topic
from tests.unit.producers import samples
from tests.unit.schemas.samples import risk_signal

pytestmark = pytest.mark.integration


def attendance_rows(n: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        row = samples.attendance()
        row["pupil_id"] = f"P-{1000 + i}"
        rows.append(row)
    return rows


def report_rows(report: Path) -> list[dict[str, str]]:
    with report.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(path: Path, settings: KafkaSettings, fmt: FileFormat, agency: str, kind: str, **kw: Any) -> Any:
    with Publisher(settings, rules=HUB_RULES) as publisher:
        return import_file(path, fmt, agency, kind, publisher, region=Region.of("31"), batch_size=4, **kw)


def test_csv_good_rows_published_bad_rows_reported(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    rows = attendance_rows(6)
    rows[1]["persons"][1]["snils"] = "112-233-445 96"  # bad checksum
    rows[3]["unexcused_absences"] = "02.03.2026;31.02.2026"  # no such date
    rows[4]["unexcused_absences"] = "02.03.2026"  # one day: nothing to report
    del rows[5]["pupil_id"]
    path = tmp_path / "attendance.csv"
    write_csv(path, rows, delimiter=";")
    result = run(path, kafka_settings, FileFormat.CSV, "education", "education-attendance")
    assert (result.state.published, result.state.rejected, result.state.skipped) == (2, 3, 1)
    records = read_topic(kafka_settings, kafka_settings.signal_topic("education"), expect=2)
    assert len(records) == 2
    decoded = [RiskSignalModel.from_avro(Codec("RiskSignal").decode(r.value)) for r in records]
    assert {s.source_record_id.split("/")[1] for s in decoded} == {"P-1000", "P-1002"}
    assert all(headers_of(r)["ce_type"] == "ru.signalhub.signal.prolonged_absence" for r in records)
    report = report_rows(result.report_path)
    assert [(r["row"], r["field"]) for r in report] == [
        ("2", "adults[0].snils"),
        ("4", "unexcused_absences[1]"),
        ("6", "pupil_id"),
    ]
    text = result.report_path.read_text(encoding="utf-8")
    for value in ("445 96", "31.02.2026", "Кузнецова", "Семён"):
        assert value not in text


def test_interrupted_import_resumes_without_publishing_twice(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    path = tmp_path / "attendance.jsonl"
    rows = attendance_rows(11)
    rows[7]["persons"] = []  # rejected: no child
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    def stop_at_row_6(row: int) -> None:
        if row == 6:
            raise KeyboardInterrupt

    first = run(
        path, kafka_settings, FileFormat.JSONL, "education", "education-attendance", on_row=stop_at_row_6
    )
    assert first.interrupted
    assert 0 < first.state.last_row < 11
    assert json.loads(state_path(path).read_text())["last_row"] == first.state.last_row
    second = run(path, kafka_settings, FileFormat.JSONL, "education", "education-attendance")
    assert not second.interrupted
    assert second.resumed_from == first.state.last_row
    assert (second.state.last_row, second.state.published, second.state.rejected) == (11, 10, 1)
    third = run(path, kafka_settings, FileFormat.JSONL, "education", "education-attendance")
    assert third.published_now == 0  # a finished import publishes nothing again
    records = read_topic(kafka_settings, kafka_settings.signal_topic("education"), expect=10)
    ids = [headers_of(r)["ce_id"] for r in records]
    assert len(ids) == 10
    assert len(set(ids)) == 10
    assert [r["row"] for r in report_rows(second.report_path)] == ["8"]


def test_changed_file_starts_over_with_same_event_ids(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(attendance_rows(1)[0], ensure_ascii=False) + "\n", encoding="utf-8")
    run(path, kafka_settings, FileFormat.JSONL, "education", "education-attendance")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # other hash, same row
    again = run(path, kafka_settings, FileFormat.JSONL, "education", "education-attendance")
    assert again.resumed_from == 0
    records = read_topic(kafka_settings, kafka_settings.signal_topic("education"), expect=2)
    assert len({headers_of(r)["ce_id"] for r in records}) == 1


def test_signal_rows_of_another_agency_and_broken_lines_rejected(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    good = risk_signal()
    other = risk_signal() | {"agency": "health", "event_id": "5b1c0c6e-2f53-4a7e-9d3e-0b8e7f6a5c41"}
    lines = [
        json.dumps(good, default=str, ensure_ascii=False),
        "{not json",
        "[1, 2]",
        json.dumps(other, default=str),
    ]
    path = tmp_path / "signals.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(path, kafka_settings, FileFormat.JSONL, "police", "signal")
    assert (result.state.published, result.state.rejected) == (1, 3)
    fields = [(r["row"], r["field"]) for r in report_rows(result.report_path)]
    assert fields == [("2", "(row)"), ("3", "(row)"), ("4", "agency")]
    assert read_topic(kafka_settings, kafka_settings.signal_topic("health"), idle_s=1.0) == []
    assert len(read_topic(kafka_settings, kafka_settings.signal_topic("police"), expect=1)) == 1


def test_record_type_of_another_agency_is_refused(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    path = tmp_path / "x.csv"
    write_csv(path, [samples.police()])
    with pytest.raises(ValueError, match="not a format of agency"):
        run(path, kafka_settings, FileFormat.CSV, "education", "police-incident")


def test_windows_1251_csv_and_xlsx_publish_real_letters(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    """Excel's CSV of a Russian desktop and an .xlsx go out with the names as typed; a row with a
    byte that is not Windows-1251 is in the reject report with its reason, not on the topic."""
    from openpyxl import Workbook

    from producers.rows import flatten
    from tests.unit.producers.test_agency_files import excel_csv

    records = [samples.police() | {"kusp_number": str(7000 + i)} for i in range(3)]
    path = tmp_path / "kusp.csv"
    excel_csv(path, records, "cp1251")
    raw = path.read_bytes().split(b"\r\n")
    raw[2] = raw[2].replace("Рябов".encode("cp1251"), b"\x98")
    path.write_bytes(b"\r\n".join(raw))
    result = run(path, kafka_settings, FileFormat.of(path), "police", "police-incident")
    assert (result.state.published, result.state.rejected) == (2, 1)
    assert report_rows(result.report_path) == [
        {"row": "2", "field": "(row)", "reason": "holds bytes that are not cp1251 text (see --encoding)"}
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    cells = flatten(records[0] | {"kusp_number": "7100"})
    sheet.append(list(cells))
    sheet.append(list(cells.values()))
    book.save(tmp_path / "kusp.xlsx")
    assert (
        run(
            tmp_path / "kusp.xlsx", kafka_settings, FileFormat.XLSX, "police", "police-incident"
        ).state.published
        == 1
    )
    topic = read_topic(kafka_settings, kafka_settings.signal_topic("police"), expect=3)
    signals = [RiskSignalModel.from_avro(Codec("RiskSignal").decode(r.value)) for r in topic]
    assert [s.adults[0].surname for s in signals] == ["Кузнецова"] * 3
    assert {s.adults[1].surname for s in signals} == {"Рябов"}
