"""Agency files as the programs that write them write them: Excel's "CSV" on a Russian Windows
desktop (Windows-1251, `;`, CRLF), Excel's "CSV UTF-8" (BOM), UTF-8 from agency systems, and .xlsx
workbooks with date cells; a byte that is not text of the encoding rejects its row, never becomes
U+FFFD."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from producers.adapters import ADAPTERS
from producers.rows import FileFormat, RowProblem, flatten, read_rows
from signalhub.region import Region
from tests.unit.producers import samples


def excel_csv(path: Path, records: list[dict[str, Any]], encoding: str) -> None:
    """What Excel writes: `;` (the Russian list separator), CRLF, quotes only where needed."""
    rows = [flatten(r) for r in records]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def records(path: Path, fmt: FileFormat = FileFormat.CSV, encoding: str | None = None) -> list[Any]:
    return [item for _, item in read_rows(path, fmt, encoding)]


def police(n: int) -> list[dict[str, Any]]:
    return [samples.police() | {"kusp_number": str(4812 + i)} for i in range(n)]


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding_reads_the_same_letters(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "kusp.csv"
    excel_csv(path, police(2), encoding)
    first, second = records(path)
    assert first["persons"][0]["surname"] == "Кузнецова"
    assert second["kusp_number"] == "4813"
    signal = ADAPTERS["police-incident"].convert(first, Region.of("31"))
    assert signal is not None
    assert signal.adults[0].surname == "Кузнецова"
    assert signal.children[0].first_name == "Артём"  # Ё survives Windows-1251


def test_a_byte_that_is_not_windows_1251_rejects_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "kusp.csv"
    excel_csv(path, police(3), "cp1251")
    raw = path.read_bytes().split(b"\r\n")
    raw[2] = raw[2].replace("Рябов".encode("cp1251"), b"\x98\x98")  # 0x98 is no letter in 1251
    path.write_bytes(b"\r\n".join(raw))
    first, broken, third = records(path)
    assert isinstance(broken, RowProblem)
    assert broken.errors[0].reason == "holds bytes that are not cp1251 text (see --encoding)"
    assert first["persons"][2]["surname"] == third["persons"][2]["surname"] == "Рябов"


def test_a_windows_1251_row_in_a_utf8_file_is_rejected_not_garbled(tmp_path: Path) -> None:
    path = tmp_path / "kusp.csv"
    excel_csv(path, police(4), "utf-8")
    raw = path.read_bytes().split(b"\r\n")
    raw[3] = raw[3].decode("utf-8").encode("cp1251")
    path.write_bytes(b"\r\n".join(raw))
    items = records(path)
    assert [isinstance(i, RowProblem) for i in items] == [False, False, True, False]
    assert "not utf-8 text" in items[2].errors[0].reason
    assert all("\ufffd" not in str(i) for i in items)


def test_the_encoding_can_be_named(tmp_path: Path) -> None:
    path = tmp_path / "kusp.csv"
    excel_csv(path, police(1), "cp866")
    [record] = records(path, encoding="cp866")
    assert record["persons"][0]["surname"] == "Кузнецова"
    with pytest.raises(ValueError, match="--encoding"):
        records(path, encoding="no-such-codec")


def test_jsonl_with_a_bom_and_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "signals.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"surname": "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xbe\xd0\xb2"}\n{"surname": "\xff"}\n'
    )
    good, bad = records(path, FileFormat.JSONL)
    assert good == {"surname": "Иванов"}
    assert isinstance(bad, RowProblem)


def test_xlsx_dates_as_excel_stores_them_or_as_text(tmp_path: Path) -> None:
    """A workbook as an agency's Excel saves it: a date-typed column, a date typed as text, a
    SNILS typed as a number."""
    path = tmp_path / "kusp.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    cells = flatten(samples.police())
    cells["kusp_date"] = datetime(2026, 3, 14)  # a date cell (Excel stores a day number)
    cells["incident_at"] = datetime(2026, 3, 14, 1, 20)
    cells["persons.0.birth_date"] = "12.04.1996"  # typed as text
    cells["persons.0.snils"] = 11223344595  # typed as a number
    sheet.append(list(cells))
    sheet.append(list(cells.values()))
    sheet.append([None] * len(cells))  # an empty row is skipped
    sheet["B2"].number_format = "DD.MM.YYYY"
    book.save(path)
    assert FileFormat.of(path) is FileFormat.XLSX
    [record] = records(path, FileFormat.XLSX)
    assert record["kusp_date"] == date(2026, 3, 14)
    assert record["persons"][0]["snils"] == 11223344595
    signal = ADAPTERS["police-incident"].convert(record, Region.of("54"))
    assert signal is not None
    assert signal.adults[0].birth_date == date(1996, 4, 12)
    assert signal.adults[0].snils == "11223344595"
    assert signal.occurred_at == datetime(2026, 3, 14, 1, 20, tzinfo=Region.of("54").zone)


def test_a_broken_workbook_is_named_not_shown(tmp_path: Path) -> None:
    path = tmp_path / "kusp.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ValueError, match=r"not a readable \.xlsx workbook"):
        records(path, FileFormat.XLSX)
