"""`signalhub import`: publish an agency export file row by row, resumably, with a reject report.

Contracts:
- Every row is read, mapped by the agency's adapter (or validated as a `RiskSignal` when the record
  type is `signal`) and either published through the one `Publisher` or rejected. A row of another
  agency is rejected (field `agency`): an import publishes only as its agency.
- Rows go out in batches; after each batch every ack is awaited, then the rejects of the batch are
  appended to the report and the state file advances (see `import_state`). So a row is published
  at most once per completed batch; a crash between an ack and the state write can resend a row,
  with its same event id, which intake treats as a duplicate.
- Ctrl-C stops reading, settles the batch in flight and returns `interrupted=True`; the next run
  resumes after the last settled row. A failed delivery raises `PublishError` after saving the
  rows settled before it.
- The reject report is CSV `row,field,reason` and never holds a value of the input.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from producers.adapters import ADAPTERS
from producers.import_state import ImportState, file_sha256, load_state, save_state
from producers.publisher import Publisher, PublishError
from producers.rows import FileFormat, RowProblem, read_rows
from signalhub.region import Region
from signalhub.signals import FieldError, RiskSignalModel, SignalRules, SignalValidationError, validate_signal

SIGNAL_RECORD_TYPE = "signal"
REPORT_HEADER = ("row", "field", "reason")


@dataclass
class ImportResult:
    state: ImportState
    resumed_from: int
    report_path: Path
    interrupted: bool = False
    published_now: int = 0


@dataclass
class _Batch:
    rows: list[tuple[int, Any, list[FieldError] | None]] = field(default_factory=list)


def reject_report_path(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.name}.rejects.csv")


def convert_row(
    record: dict[str, Any], agency: str, record_type: str, region: Region, rules: SignalRules
) -> RiskSignalModel | None:
    """The row's signal, None when it holds nothing to report; raises `SignalValidationError`."""
    if record_type == SIGNAL_RECORD_TYPE:
        if record.get("agency") != agency:  # checked first: an import publishes only as its agency
            raise SignalValidationError([FieldError("agency", f"is not the importing agency {agency}")])
        signal: RiskSignalModel | None = validate_signal(record, rules)
    else:
        signal = ADAPTERS[record_type].convert(record, region)
    if signal is not None and signal.agency.value != agency:
        raise SignalValidationError([FieldError("agency", f"is not the importing agency {agency}")])
    return None if signal is None else validate_signal(signal, rules)


def import_file(
    path: Path,
    fmt: FileFormat,
    agency: str,
    record_type: str,
    publisher: Publisher,
    *,
    region: Region,
    encoding: str | None = None,
    batch_size: int = 500,
    restart: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import `path`; see the module docstring for what is guaranteed. `encoding` names the text
    encoding of a CSV or JSON Lines file instead of detecting it (`producers.file_encoding`)."""
    if record_type != SIGNAL_RECORD_TYPE and ADAPTERS[record_type].agency.value != agency:
        raise ValueError(f"record type {record_type} is not a format of agency {agency}")
    fresh = ImportState(file_sha256(path), agency, record_type)
    state = fresh if restart else load_state(path, fresh)
    result = ImportResult(state, state.last_row, reject_report_path(path))
    _open_report(result.report_path, truncate=state.last_row == 0)
    batch = _Batch()
    try:
        for row_no, item in _rows_after(path, fmt, state.last_row, encoding):
            batch.rows.append(_prepare(row_no, item, agency, record_type, region, publisher))
            if on_row is not None:
                on_row(row_no)
            if len(batch.rows) >= batch_size:
                _settle(path, batch, result, publisher)
                batch = _Batch()
    except KeyboardInterrupt:
        result.interrupted = True
    _settle(path, batch, result, publisher)
    return result


def _rows_after(
    path: Path, fmt: FileFormat, last_row: int, encoding: str | None
) -> Iterator[tuple[int, Any]]:
    for row_no, item in read_rows(path, fmt, encoding):
        if row_no > last_row:
            yield row_no, item


def _prepare(
    row_no: int,
    item: dict[str, Any] | RowProblem,
    agency: str,
    record_type: str,
    region: Region,
    pub: Publisher,
) -> tuple[int, Any, list[FieldError] | None]:
    """(row, future or None, errors or None): sent when valid, errors when not, neither when empty."""
    if isinstance(item, RowProblem):
        return row_no, None, item.errors
    try:
        signal = convert_row(item, agency, record_type, region, pub.rules)
    except SignalValidationError as e:
        return row_no, None, e.errors
    return row_no, (pub.send_async(signal) if signal is not None else None), None


def _settle(path: Path, batch: _Batch, result: ImportResult, publisher: Publisher) -> None:
    """Await the batch's acks in row order; record rejects and progress up to the first failure."""
    if not batch.rows:
        return
    publisher.flush()
    last_row, published, rejected, skipped = result.state.last_row, 0, 0, 0
    rejects: list[tuple[int, str, str]] = []
    failure: PublishError | None = None
    for row_no, future, errors in batch.rows:
        if future is not None:
            try:
                future.get(timeout=publisher.timeout_s)
            except Exception as e:  # kafka-python raises KafkaError subclasses; any failure stops here
                failure = PublishError(
                    f"row {row_no} was not acknowledged: {type(e).__name__}", event_ids=[], retriable=True
                )
                break
            published += 1
        elif errors is not None:
            rejects.extend((row_no, err.path, err.reason) for err in errors)
            rejected += 1
        else:
            skipped += 1
        last_row = row_no
    _append_report(result.report_path, rejects)
    result.state = result.state.advanced(last_row, published, rejected, skipped)
    result.published_now += published
    save_state(path, result.state)
    if failure is not None:
        raise failure


def _open_report(path: Path, *, truncate: bool) -> None:
    if truncate or not path.exists():
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerow(REPORT_HEADER)


def _append_report(path: Path, rejects: list[tuple[int, str, str]]) -> None:
    if rejects:
        with path.open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rejects)
