"""Rows of an agency export file (CSV, JSON Lines or an Excel .xlsx workbook) as records for the adapters.

Contracts:
- Rows are numbered from 1 in file order (CSV: data rows after the header; JSONL: non-empty lines,
  numbered by their line number). The numbering is stable, so a row number names a row across runs.
- A row that cannot be read yields a `RowProblem` (field + reason, no value) instead of a record.
- CSV and JSON Lines: UTF-8 with or without a BOM, or Windows-1251, detected (`file_encoding`), or
  the encoding named by the caller. A row holding bytes that are not text of that encoding is a
  `RowProblem`; no byte is ever replaced.
- CSV: the delimiter is `,`, `;` or tab, sniffed from the header; line ends LF or CRLF. Empty
  cells are absent. Nested fields are dotted columns: `persons.0.surname`, `address.text`.
- XLSX: see `xlsx_rows` (dates as Excel stores them or as `дд.мм.гггг` text); columns as in CSV.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from producers.file_encoding import ERRORS, detect, undecodable
from producers.xlsx_rows import xlsx_cells
from signalhub.signals import FieldError


class FileFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    XLSX = "xlsx"

    @classmethod
    def of(cls, path: Path) -> FileFormat:
        """The format a file's name says: `.xlsx`, `.jsonl`/`.ndjson`, anything else CSV."""
        suffix = path.suffix.lower()
        return cls.XLSX if suffix == ".xlsx" else cls.JSONL if suffix in (".jsonl", ".ndjson") else cls.CSV


@dataclass(frozen=True)
class RowProblem:
    errors: list[FieldError]


Row = tuple[int, dict[str, Any] | RowProblem]


def read_rows(path: Path, fmt: FileFormat, encoding: str | None = None) -> Iterator[Row]:
    """The file's rows; `encoding` names a text file's encoding instead of detecting it."""
    if fmt is FileFormat.XLSX:
        return _xlsx_rows(path)
    codec = detect(path, encoding)
    return _csv_rows(path, codec) if fmt is FileFormat.CSV else _jsonl_rows(path, codec)


def count_rows(path: Path, fmt: FileFormat, encoding: str | None = None) -> int:
    return sum(1 for _ in read_rows(path, fmt, encoding))


def _not_text(codec: str) -> RowProblem:
    return RowProblem([FieldError("(row)", f"holds bytes that are not {codec} text (see --encoding)")])


def _jsonl_rows(path: Path, codec: str) -> Iterator[Row]:
    with path.open(encoding=codec, errors=ERRORS) as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if undecodable(line):
                yield line_no, _not_text(codec)
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                yield line_no, RowProblem([FieldError("(row)", f"is not valid JSON (column {e.colno})")])
                continue
            if not isinstance(value, dict):
                yield line_no, RowProblem([FieldError("(row)", "must be a JSON object")])
                continue
            yield line_no, value


def _csv_rows(path: Path, codec: str) -> Iterator[Row]:
    with path.open(encoding=codec, errors=ERRORS, newline="") as handle:
        header = handle.readline()
        if undecodable(header):
            raise ValueError(f"header: holds bytes that are not {codec} text (see --encoding)")
        handle.seek(0)
        delimiter = max(",;\t", key=header.count)
        reader = csv.DictReader(handle, delimiter=delimiter)
        for row_no, row in enumerate(reader, start=1):
            if None in row:
                yield row_no, RowProblem([FieldError("(row)", "has more cells than the header")])
                continue
            if any(undecodable(v) for v in row.values() if isinstance(v, str)):
                yield row_no, _not_text(codec)
                continue
            cells = {k: v for k, v in row.items() if k and v is not None and v.strip() != ""}
            try:
                yield row_no, unflatten(cells)
            except ValueError as e:
                yield row_no, RowProblem([FieldError("(columns)", str(e))])


def _xlsx_rows(path: Path) -> Iterator[Row]:
    for row_no, cells in xlsx_cells(path):
        try:
            yield row_no, unflatten(cells)
        except ValueError as e:
            yield row_no, RowProblem([FieldError("(columns)", str(e))])


def unflatten(cells: dict[str, Any]) -> dict[str, Any]:
    """`{"persons.0.name": "Оля"}` -> `{"persons": [{"name": "Оля"}]}` (numeric parts are list indices)."""
    root: dict[str, Any] = {}
    for key, value in cells.items():
        parts = key.strip().split(".")
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"column {key} conflicts with another column")
            node = child
        node[parts[-1]] = value
    return _lists(root)  # type: ignore[no-any-return]


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """The inverse of `unflatten`, for writing CSV exports: lists of scalars join with `;`."""
    cells: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            cells.update(flatten(value, f"{name}."))
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                cells.update(flatten(item, f"{name}.{index}."))
        elif isinstance(value, list):
            cells[name] = ";".join(str(v) for v in value)
        elif value is not None:
            cells[name] = str(value)
    return cells


def write_csv(path: Path, records: list[dict[str, Any]], delimiter: str = ",") -> None:
    """Records as a CSV export with dotted columns (the union of all records' columns)."""
    rows = [flatten(r) for r in records]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
