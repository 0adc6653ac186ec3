"""Persons and addresses of agency records -> the `children`, `adults` and `address` of a signal.

Source person keys: `role` (a Russian role word, see data/roles.json), `surname`, `name` (or
`first_name`), `patronymic`, `birth_date` (DD.MM.YYYY or ISO), `sex` (м/ж, M/F), `snils`,
`birth_cert`, `oms_policy` (or `oms`). Identifiers are passed on as written; the signal model
checks them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from producers.adapters.base import Fields, load_json

_SEX = {"м": "M", "муж": "M", "m": "M", "ж": "F", "жен": "F", "f": "F"}
_LOCALITY = re.compile(r"^(г\.|город|пгт\.?|с\.|село|дер\.|п\.|пос\.|х\.)\s*(.+)$", re.IGNORECASE)
_STREET = re.compile(r"^(ул\.|улица|пр-т|просп\.|пер\.|мкр\.|б-р|пл\.|ш\.|наб\.)\s*(.+)$", re.IGNORECASE)
_HOUSE = re.compile(r"^(д\.|дом)\s*(.+)$", re.IGNORECASE)
_FLAT = re.compile(r"^(кв\.|квартира)\s*(.+)$", re.IGNORECASE)


def role_of(word: str) -> str | None:
    roles: dict[str, str] = load_json("roles.json")
    return roles.get(word.strip().lower().replace("ё", "е"))


def person(source: Mapping[str, Any], path: str, fields: Fields, role: str | None = None) -> dict[str, Any]:
    """One person of the signal; errors go to `fields` under `path`."""
    f = Fields(source, prefix=f"{path}.")
    if role is None:
        word = f.text("role", required=True)
        role = role_of(word) if word else None
        if word and role is None:
            f.fail("role", "is not a known role word (see producers/adapters/data/roles.json)")
    sex_text = f.text("sex")
    sex = _SEX.get(sex_text.lower().rstrip(".")) if sex_text else None
    if sex_text and sex is None:
        f.fail("sex", "must be м/ж or M/F")
    first_name = f.text("name") or f.text("first_name")
    if first_name is None:
        f.fail("name", "is required")
    out = {
        "role": role or "other_adult",
        "surname": f.text("surname", required=True) or "",
        "first_name": first_name or "",
        "patronymic": f.text("patronymic"),
        "birth_date": f.date("birth_date"),
        "sex": sex,
        "snils": f.text("snils"),
        "birth_cert": f.text("birth_cert"),
        "oms_policy": f.text("oms_policy") or f.text("oms"),
    }
    fields.errors.extend(f.errors)
    return out


def persons(fields: Fields, key: str = "persons") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split the record's person list into (children, adults) by role."""
    children: list[dict[str, Any]] = []
    adults: list[dict[str, Any]] = []
    items = fields.list(key)
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            fields.fail(f"{key}[{index}]", "must be an object")
            continue
        mapped = person(item, f"{fields.prefix}{key}[{index}]", fields)
        (children if mapped["role"] == "child" else adults).append(mapped)
    if not children:
        fields.fail(key, "must name at least one child")
    return children, adults


def address(text: str | None, fias_guid: str | None = None) -> dict[str, Any] | None:
    """The address as written, with locality, street, house and flat when the text shows them."""
    if not text:
        return None
    found: dict[str, Any] = {"text": text, "locality": None, "street": None, "house": None, "flat": None}
    for part in (p.strip() for p in text.split(",")):
        for key, pattern in (
            ("flat", _FLAT),
            ("house", _HOUSE),
            ("street", _STREET),
            ("locality", _LOCALITY),
        ):
            match = pattern.match(part)
            if match and found[key] is None:
                found[key] = match.group(2).strip()
                break
    found["fias_guid"] = fias_guid
    return found
