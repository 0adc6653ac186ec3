"""Plausibility rules of a signal beyond its types: the text rules its fields are declared with,
and the rules that need the whole signal or the hub's settings (`SignalRules`, `check_signal`).

Contracts:
- Every text field is free of control characters (Unicode Cc, Cf, Cs, Co: NUL, escapes,
  zero-width and bidi controls, lone surrogates); prose (descriptions) may keep tab and line
  breaks. Names also have no combining mark that follows no letter (a "lone" mark at the start or
  after a space or hyphen).
- Birth dates lie between 1900-01-01 and today; a child is under 18 at `occurred_at`.
- With `SignalRules` (the hub's settings, passed by every edge: publisher, gateway, file import,
  intake): `region_code` is this hub's, and `occurred_at` is at most `max_age` in the past.
- Reasons name the rule, never the value (values are personal data).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from signalhub.signal_errors import FieldError

if TYPE_CHECKING:
    from signalhub.signals import RiskSignalModel

__all__ = [
    "EARLIEST_BIRTH_DATE",
    "SignalRules",
    "check_birth_date",
    "check_line",
    "check_name",
    "check_prose",
    "check_signal",
]

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
ADULT_AGE = 18
_CONTROL = frozenset({"Cc", "Cf", "Cs", "Co"})
_PROSE_ALLOWED = frozenset("\t\n\r")
_MARKS = frozenset({"Mn", "Mc", "Me"})
_NAME_PUNCTUATION = str.maketrans("", "", " -'.")


def check_line(value: str) -> str:
    """A one-line text: no control characters. (`isprintable` is false for every control
    character, and for a few more, such as a no-break space: only then is each one looked at.)"""
    if not value.isprintable() and any(unicodedata.category(c) in _CONTROL for c in value):
        raise ValueError("must not contain control characters")
    return value


def check_prose(value: str) -> str:
    """Free text: no control characters but tab and line breaks."""
    if not value.isprintable() and any(
        unicodedata.category(c) in _CONTROL and c not in _PROSE_ALLOWED for c in value
    ):
        raise ValueError("must not contain control characters (other than tab and line breaks)")
    return value


def check_name(value: str) -> str:
    """A person's or reporter's name: a line whose combining marks each follow a letter or mark."""
    if value.translate(_NAME_PUNCTUATION).isalpha():
        return value  # letters and name punctuation only: no control character, no mark
    check_line(value)
    previous = " "
    for c in value:
        if unicodedata.category(c) in _MARKS and not unicodedata.category(previous).startswith(("L", "M")):
            raise ValueError("must not contain a combining mark that follows no letter")
        previous = c
    return value


def check_birth_date(value: date | None) -> date | None:
    if value is None:
        return value
    if value < EARLIEST_BIRTH_DATE:
        raise ValueError("birth date is before 1900-01-01")
    if value > datetime.now(UTC).date() + timedelta(days=1):
        raise ValueError("birth date is in the future")
    return value


@dataclass(frozen=True)
class SignalRules:
    """The hub's own bounds: its region, and how far in the past `occurred_at` may lie."""

    region_code: str
    max_age: timedelta = timedelta(days=5 * 365 + 1)


def _age_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_signal(signal: RiskSignalModel, rules: SignalRules | None) -> list[FieldError]:
    """Rules over several fields and the hub's bounds (`rules`; None: the signal's own rules only)."""
    errors = []
    on = signal.occurred_at.astimezone(UTC).date()
    for i, child in enumerate(signal.children):
        if child.birth_date is not None and _age_years(child.birth_date, on) >= ADULT_AGE:
            errors.append(FieldError(f"children[{i}].birth_date", "child is 18 or older at occurred_at"))
    if rules is None:
        return errors
    if signal.region_code != rules.region_code:
        errors.append(FieldError("region_code", "is not the region code of this hub"))
    if signal.occurred_at < datetime.now(UTC) - rules.max_age:
        days = rules.max_age.days
        errors.append(FieldError("occurred_at", f"is more than {days} days in the past"))
    return errors
