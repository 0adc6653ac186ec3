"""Masking of personal data in decoded messages, for operators' eyes (dead letters, support).

Contract: `mask(value)` returns a copy of any JSON-like structure (dicts, lists, scalars, dates) in
which every field that can identify a person is masked by its key name, wherever it is nested:
- names of people (surname, first name, patronymic, reporter), birth dates and sex -> `***`
  (not even an initial or a year: with a municipality and a date they narrow a child down);
- locality names -> first letter + `***`;
- identifiers (SNILS, birth certificate, OMS policy, FIAS id) and contacts (phone, e-mail) -> their
  shape only: every letter and digit becomes `*`, separators stay, so a malformed value still shows
  a wrong length or layout;
- addresses (text, street, house, flat) and free text (description) -> `***` / a length note.
Everything else (agency, types, severity, times of the event, codes of region and municipality,
roles) is kept: it identifies nobody and is what an operator needs to see.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from schemas.codec import Codec
from schemas.errors import SerializationError

HIDDEN = "***"


def initial(value: Any) -> Any:
    """`Иванова` -> `И***`; empty or non-text values are hidden whole."""
    if isinstance(value, str) and value.strip():
        return value.strip()[0] + HIDDEN
    return value if value is None else HIDDEN


def shape(value: Any) -> Any:
    """`123-456-789 01` -> `***-***-*** **`: the layout without a single letter or digit."""
    if isinstance(value, str):
        return "".join("*" if ch.isalnum() else ch for ch in value)
    return value if value is None else HIDDEN


def hidden(value: Any) -> Any:
    return value if value is None else HIDDEN


def length_note(value: Any) -> Any:
    """Free text: only how long it was."""
    if isinstance(value, str):
        return f"({len(value)} characters hidden)"
    return value if value is None else HIDDEN


def _address(value: Any) -> Any:
    """A structured address is masked field by field; an address written as one text is hidden."""
    return mask(value) if isinstance(value, Mapping) else hidden(value)


_NAMES = ("surname", "first_name", "patronymic", "name", "last_name", "middle_name", "full_name", "fio")
_BY_KEY: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(_NAMES, hidden),
    "locality": initial,
    **dict.fromkeys(("birth_date", "date_of_birth", "dob", "sex"), hidden),
    "snils": shape,
    "birth_cert": shape,
    "oms_policy": shape,
    "fias_guid": shape,
    "phone": shape,
    "email": shape,
    "text": hidden,
    "street": hidden,
    "house": hidden,
    "flat": hidden,
    "address": _address,
    "description": length_note,
}


def mask(value: Any) -> Any:
    """A masked copy of `value` (see the module docstring), JSON-ready: dates, times and UUIDs become text."""
    if isinstance(value, Mapping):
        return {str(k): _BY_KEY.get(str(k), mask)(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return _iso(value)


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"({len(value)} bytes hidden)"
    if isinstance(value, UUID | Decimal):
        return str(value)
    return value


def masked_body(value: bytes | None, contract: str = "RiskSignal") -> dict[str, Any]:
    """What an operator may see of a message body: the masked record when the codec decodes it;
    otherwise why not, the size, the first two bytes and, for a JSON object, its field names only
    (a body of unknown shape cannot be masked field by field, so no value of it is shown)."""
    if value is None:
        return {"body": None}
    try:
        return {"contract": contract, "record": mask(Codec(contract).decode(value))}
    except SerializationError as e:
        reason = e.reason.value
    seen: dict[str, Any] = {"undecodable": reason, "size": len(value), "first_bytes": value[:2].hex()}
    try:
        parsed = json.loads(value.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return seen
    if isinstance(parsed, dict):
        seen["json_fields"] = sorted(str(k) for k in parsed)
    return seen
