"""Numbers, counts, dates and times written as Russian readers expect them, from Babel's CLDR data.

- numbers with a decimal comma and a non-breaking space between thousands: `60,0`, `1 234`;
- counts with the plural form of their noun: `1 случай`, `2 случая`, `5 случаев`;
- dates in words where people read them (`1 декабря 2026`, `декабрь 2026`) and in figures where
  they scan a column or type one (`01.12.2026`, the format of every date field).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

__all__ = [
    "DATETIME_FIELD",
    "DATE_FIELD",
    "Forms",
    "count",
    "day_words",
    "in_figures",
    "month_words",
    "number",
    "parse_date_field",
    "parse_datetime_field",
    "plural",
]

RU = Locale("ru")
DATE_FIELD = "%d.%m.%Y"  # what date fields show and read: дд.мм.гггг
DATETIME_FIELD = "%d.%m.%Y %H:%M"


class Forms(NamedTuple):
    """A noun's forms after 1, 2 and 5: `Forms("случай", "случая", "случаев")`."""

    one: str
    few: str
    many: str


def number(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """`60,0`; `+1,5` with `signed`; `12 345` with `digits=0`."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(value, format=pattern, locale=RU)
    return f"+{text}" if signed and value >= 0 else text.replace("-", "−")


def plural(n: float, forms: Forms) -> str:
    """The form of the noun that goes with `n` (CLDR's Russian plural rule)."""
    category = RU.plural_form(n)
    # "other" is CLDR's category of fractions, which take the form after 2: "1,5 часа".
    return forms.one if category == "one" else forms.many if category == "many" else forms.few


def count(n: int, forms: Forms) -> str:
    """`5 случаев`."""
    return f"{number(n, 0)} {plural(n, forms)}"


def day_words(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    """`1 декабря 2026` (a datetime is first moved into `zone`)."""
    if isinstance(value, datetime) and zone is not None:
        value = value.astimezone(zone)
    return format_date(value, "d MMMM y", locale=RU)


def month_words(year: int, month: int) -> str:
    """`декабрь 2026` (the standalone, nominative month name)."""
    return format_date(date(year, month, 1), "LLLL y", locale=RU)


def in_figures(value: date | datetime | None, zone: ZoneInfo, *, with_time: bool = True) -> str:
    """`01.12.2026 14:05` in `zone` (a date alone as `01.12.2026`); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime(DATETIME_FIELD if with_time else DATE_FIELD)
    return value.strftime(DATE_FIELD)


def parse_date_field(text: str) -> date:
    """A date typed as `дд.мм.гггг` (ISO `гггг-мм-дд` too); ValueError otherwise."""
    text = text.strip()
    try:
        return datetime.strptime(text, DATE_FIELD).date()
    except ValueError:
        return date.fromisoformat(text)


def parse_datetime_field(text: str, zone: ZoneInfo) -> datetime:
    """A local time typed as `дд.мм.гггг чч:мм` (or ISO 8601), in `zone` unless it names its own."""
    text = " ".join(text.split())
    try:
        found = datetime.strptime(text, DATETIME_FIELD)
    except ValueError:
        found = datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=zone)
