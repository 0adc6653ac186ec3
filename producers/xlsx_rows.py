"""Rows of an Excel workbook (.xlsx, read with openpyxl): the first sheet, the first row its header.

Dates are taken as Excel stores them (a date cell is a `date`, or a `datetime` when it has a time
of day) or as text `дд.мм.гггг`, which the adapters read either way. Whole numbers stored as
numbers (a SNILS typed without dashes, a record number) are read as whole numbers, not `1.0`.
Rows are numbered as in CSV: the first row after the header is row 1; empty rows are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

__all__ = ["xlsx_cells"]


def _value(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def xlsx_cells(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {column: value}) of every non-empty data row; empty cells are absent."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile, KeyError and its own errors for broken files
        raise ValueError(f"file: not a readable .xlsx workbook ({type(e).__name__})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        for row_no, row in enumerate(rows, start=1):
            cells = {
                name: _value(v)
                for name, v in zip(header, row, strict=False)
                if name and v is not None and not (isinstance(v, str) and not v.strip())
            }
            if cells:
                yield row_no, cells
    finally:
        book.close()
