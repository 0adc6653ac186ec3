"""The region the hub serves: its name, its time zone, the names of its municipalities.

Data tables, not code: `data/regions.csv` maps every region code of the Russian Federation (as in
`SIGNALHUB_REGION_CODE` and case numbers) to its name and IANA time zone; `data/municipalities.csv`
maps the OKTMO codes of the municipalities of the regions the hub and the simulator use to their
names. Instants are stored in UTC; people see them in `Region.zone`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = ["Region", "RegionError", "municipality_name", "municipality_names"]


class RegionError(ValueError):
    """An unknown region code or time-zone name (the message names the setting, not the value)."""


@cache
def _table(name: str) -> dict[str, tuple[str, ...]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter=";")
        next(rows)
        return {row[0]: tuple(row[1:]) for row in rows if row}


@dataclass(frozen=True)
class Region:
    """One region: its code, its name and the time zone its people read times in."""

    code: str
    name: str
    zone: ZoneInfo

    @classmethod
    def of(cls, code: str, timezone: str = "") -> Region:
        """The region of `code`, in the zone of the data table unless `timezone` (IANA) overrides it."""
        found = _table("regions.csv").get(code)
        if found is None:
            raise RegionError("SIGNALHUB_REGION_CODE: not a region code of data/regions.csv")
        try:
            zone = ZoneInfo(timezone or found[1])
        except (ZoneInfoNotFoundError, ValueError):
            raise RegionError("SIGNALHUB_TIMEZONE: not an IANA time-zone name") from None
        return cls(code=code, name=found[0], zone=zone)

    def zone_label(self, at: datetime | None = None) -> str:
        """How pages name the zone: `Asia/Novosibirsk, UTC+7`."""
        offset = datetime.now(self.zone).utcoffset() if at is None else at.astimezone(self.zone).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        sign = "+" if minutes >= 0 else "−"
        hours, rest = divmod(abs(minutes), 60)
        return f"{self.zone.key}, UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def municipality_name(code: str | None) -> str:
    """The municipality's name for an OKTMO code; the code itself when the table does not know it."""
    if not code:
        return ""
    found = _table("municipalities.csv").get(code)
    return found[0] if found else f"ОКТМО {code}"


def municipality_names() -> dict[str, str]:
    """Every known OKTMO code with its name (for filters that choose by name)."""
    return {code: row[0] for code, row in _table("municipalities.csv").items()}
