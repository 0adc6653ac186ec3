"""``signalhub link``: cluster a CSV of person records into persons with the linkage engine.

Input columns ``record_id,surname,first_name,patronymic,birth_date,sex,snils,birth_cert,address``
(any but ``record_id`` may be empty; other columns are ignored; dates ISO; sex М/Ж), and an
optional ``signal``: consecutive rows with the same non-empty value are the family one signal
names (``Registry.link_signal``: relatives corroborate each other's near birth dates, as in
intake). Output ``record_id,person_id``. Records stream through a ``Registry``. Error messages
name the row, the column and the reason, never the value.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from signalhub.domain.linkage import PersonRecord, Registry

__all__ = ["MalformedRowError", "link_records", "parse_row", "read_records", "register"]

REQUIRED = ("record_id",)
_SEX = {"М": "M", "Ж": "F", "M": "M", "F": "F"}


class MalformedRowError(ValueError):
    """A row that cannot be read; carries the row number (1 = header), column and reason."""

    def __init__(self, row: int, column: str, reason: str) -> None:
        super().__init__(f"row {row}, column {column!r}: {reason}")
        self.row, self.column, self.reason = row, column, reason


def _text(row: dict[str, str | None], column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return value or None


def parse_row(row: dict[str, str | None], number: int) -> PersonRecord:
    """One CSV row -> ``PersonRecord``; raises ``MalformedRowError`` without echoing values."""
    if None in row:
        raise MalformedRowError(number, "*", "more fields than the header has")
    record_id = _text(row, "record_id")
    if record_id is None:
        raise MalformedRowError(number, "record_id", "missing")
    born = _text(row, "birth_date")
    try:
        birth_date = dt.date.fromisoformat(born) if born else None
    except ValueError:
        raise MalformedRowError(number, "birth_date", "not an ISO date (YYYY-MM-DD)") from None
    sex_text = _text(row, "sex")
    sex = _SEX.get(sex_text.upper()) if sex_text else None
    if sex_text and sex is None:
        raise MalformedRowError(number, "sex", "expected М or Ж")
    return PersonRecord(
        record_id=record_id,
        surname=_text(row, "surname"),
        first_name=_text(row, "first_name"),
        patronymic=_text(row, "patronymic"),
        birth_date=birth_date,
        sex=sex,  # type: ignore[arg-type]
        snils=_text(row, "snils"),
        birth_cert=_text(row, "birth_cert"),
        address=_text(row, "address"),
    )


def read_records(
    rows: Iterable[dict[str, str | None]], columns: Iterable[str]
) -> Iterator[list[PersonRecord]]:
    """Parse rows lazily into signals (consecutive rows of one ``signal`` value; a row without
    one is a signal of its own); the header must name ``record_id``."""
    missing = [c for c in REQUIRED if c not in set(columns)]
    if missing:
        raise MalformedRowError(1, missing[0], "column missing from the header")
    parsed = ((_text(row, "signal"), parse_row(row, number)) for number, row in enumerate(rows, start=2))
    for _, group in groupby(parsed, key=lambda item: item[0] or object()):  # no value: alone
        yield [record for _, record in group]


def link_records(signals: Iterable[list[PersonRecord]], registry: Registry) -> Iterator[tuple[str, str]]:
    """Stream signals through ``registry.link_signal``: (record id, person id) per record."""
    for records in signals:
        for record, (person_id, _) in zip(records, registry.link_signal(records), strict=True):
            yield record.record_id, person_id


def link(
    input_path: Annotated[Path, typer.Option("--input", exists=True, dir_okay=False, help="persons CSV")],
    output_path: Annotated[Path, typer.Option("--output", dir_okay=False, help="clusters CSV to write")],
) -> None:
    """Link person records into persons: writes record_id,person_id."""
    registry = Registry()
    with input_path.open(encoding="utf-8-sig", newline="") as src:
        total = sum(1 for _ in src) - 1
    with (
        input_path.open(encoding="utf-8-sig", newline="") as src,
        output_path.open("w", encoding="utf-8", newline="") as dst,
        Progress(transient=True) as progress,
    ):
        task = progress.add_task("linking", total=max(total, 0))
        reader = csv.DictReader(src)
        writer = csv.writer(dst)
        writer.writerow(("record_id", "person_id"))
        try:
            for pair in link_records(read_records(reader, reader.fieldnames or ()), registry):
                writer.writerow(pair)
                progress.advance(task)
        except MalformedRowError as error:
            progress.stop()
            typer.echo(f"error: {input_path.name}: {error}", err=True)
            raise typer.Exit(code=2) from None
    typer.echo(f"{registry.record_count} records -> {len(registry)} persons")


def register(app: typer.Typer) -> None:
    """Add the ``link`` command to the ``signalhub`` app."""
    app.command("link")(link)
