"""What every adapter shares: the `Adapter` record, its errors, deterministic event ids, field reading.

Contracts:
- `Adapter.convert(record, region)` returns a valid `RiskSignalModel`, or `None` when the
  record holds nothing to report (e.g. absences below the threshold); it raises `AdapterError`
  (a `SignalValidationError`) naming every bad field by its path in the *source* record, or
  `SignalValidationError` with `RiskSignal` paths when the mapped signal breaks the model's rules.
- `event_id_for(agency, source_record_id, version)` is uuid5 of the three: a re-export of the same
  record version gets the same event id (intake sees a duplicate), a new version a new one (an
  amendment of the same `source_record_id`).
- Naive times in agency exports are local times of the region (`Region.zone`, from the region code
  and `SIGNALHUB_TIMEZONE`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from signalhub.domain.vocabulary import Agency
from signalhub.region import Region
from signalhub.signals import FieldError, RiskSignalModel, SignalValidationError, validate_signal

DATA_DIR = Path(__file__).resolve().parent / "data"
# Fixed forever: changing it would change every event id and break dedup of re-exports.
EVENT_NAMESPACE = UUID("6f1d7a52-3c1b-5d0e-9a43-2f6b8c1e0d77")

Record = Mapping[str, Any]


class AdapterError(SignalValidationError):
    """A source record cannot be mapped; `errors` name source fields, never their values."""


@dataclass(frozen=True)
class Adapter:
    """One agency source format."""

    agency: Agency
    record_type: str
    description: str
    convert: Callable[[Record, Region], RiskSignalModel | None]


def event_id_for(agency: Agency | str, source_record_id: str, version: int | str = 1) -> UUID:
    return uuid5(EVENT_NAMESPACE, f"{Agency(agency).value}|{source_record_id}|{version}")


@cache
def load_json(name: str) -> Any:
    """A mapping table from `data/`; cached, so edit the file and restart to change it."""
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


class Fields:
    """Reads a source record's fields, collecting errors (path + reason) instead of raising at once."""

    def __init__(self, record: Record, prefix: str = "", *, zone: ZoneInfo = ZoneInfo("UTC")) -> None:
        self.record = record
        self.prefix = prefix
        self.zone = zone  # naive times of the record are in this zone (the region's)
        self.errors: list[FieldError] = []

    def fail(self, key: str, reason: str) -> None:
        self.errors.append(FieldError(f"{self.prefix}{key}", reason))

    def raw(self, key: str) -> Any:
        value = self.record.get(key)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.fail(key, "is required")
            return None
        return str(value).strip()

    def list(self, key: str) -> list[Any]:
        """A list, or a `;`-separated string (the CSV writing of a list)."""
        value = self.raw(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, list):
            return value
        self.fail(key, "must be a list")
        return []

    def integer(self, key: str, *, default: int) -> int:
        value = self.raw(key)
        if value is None:
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            self.fail(key, "must be a whole number")
            return default

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        return value is True or str(value).strip().lower() in {"1", "true", "да", "yes", "y", "д"}

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.fail(key, "is required")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(key, "must be a date DD.MM.YYYY or YYYY-MM-DD")
        return parsed

    def moment(self, key: str, *, required: bool = False) -> datetime | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.fail(key, "is required")
            return None
        parsed = parse_datetime(value, self.zone)
        if parsed is None:
            self.fail(key, "must be a date and time (ISO 8601 or DD.MM.YYYY HH:MM)")
        return parsed

    def check(self) -> None:
        if self.errors:
            raise AdapterError(self.errors)


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_datetime(value: Any, zone: ZoneInfo) -> datetime | None:
    """ISO 8601 or `DD.MM.YYYY[ HH:MM[:SS]]`; a naive time is a local time of `zone`."""
    if isinstance(value, datetime):
        found: datetime | None = value
    else:
        text = str(value).strip()
        found = None
        try:
            found = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
                try:
                    found = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
    if found is None:
        return None
    return found.replace(tzinfo=zone) if found.tzinfo is None else found


def now_utc() -> datetime:
    return datetime.now(UTC)


def build(fields: Fields, signal: dict[str, Any]) -> RiskSignalModel:
    """Raise the source-field errors collected so far, else validate the mapped signal."""
    fields.check()
    return validate_signal(signal)


def mapping_entry(fields: Fields, key: str, table: str) -> dict[str, str] | None:
    """Look the record's `key` up (lower case, Ё as Е) in a data table of {word: {signal_type, severity}}."""
    word = fields.text(key, required=True)
    if word is None:
        return None
    entries: dict[str, dict[str, str]] = load_json(table)
    entry = entries.get(word.lower().replace("ё", "е"))
    if entry is None:
        fields.fail(key, f"is not a known value (see producers/adapters/data/{table})")
    return entry
