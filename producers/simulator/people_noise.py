"""Noisy records of generated persons, as different agencies would write them.

Each agency has habits: police and schools use diminutives and skip patronymics, health
records carry SNILS, some systems hold Latin spellings (ICAO 9303 or older MVD schemes). On
top come typos, Ё written as Е, day/month swaps, one-day date errors, a mother's surname in the
masculine form, missing identifiers, addresses in many formats, and a parent's SNILS typed into
a child's record.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from signalhub.domain.linkage.resources import diminutives

if TYPE_CHECKING:
    from producers.simulator.people import Person, Population

__all__ = ["COLUMNS", "noisy_records", "write_rows"]

COLUMNS = ("record_id", "agency", "surname", "first_name", "patronymic", "birth_date", "sex", "snils",
           "birth_cert", "address", "true_person_id", "family_id")  # fmt: skip
# agency: (diminutive, no patronymic, has SNILS, has birth certificate, Latin, typo)
_HABITS = {
    "police": (0.3, 0.35, 0.15, 0.3, 0.02, 0.1),
    "education": (0.3, 0.2, 0.3, 0.5, 0.0, 0.08),
    "health": (0.03, 0.05, 0.85, 0.6, 0.0, 0.05),
    "guardianship": (0.02, 0.02, 0.6, 0.9, 0.0, 0.04),
    "social": (0.05, 0.1, 0.7, 0.7, 0.0, 0.05),
    "migration": (0.0, 0.5, 0.2, 0.1, 0.9, 0.03),
}
_COMMON = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_ICAO = dict(zip(_COMMON, ["A", "B", "V", "G", "D", "E", "E", "ZH", "Z", "I", "I", "K", "L", "M", "N", "O", "P", "R", "S", "T", "U", "F", "KH", "TS", "CH", "SH", "SHCH", "IE", "Y", "", "E", "IU", "IA"],
                 strict=True))  # fmt: skip
_OLD = _ICAO | {"Й": "Y", "Ю": "YU", "Я": "YA", "Ъ": "", "Ь": "", "Ё": "YO", "Х": "KH", "Ы": "Y"}
_SCHEMES = (_ICAO, _OLD)
_PARENT_SNILS = 0.02  # share of a child's records carrying a parent's SNILS


def _latin(text: str, scheme: dict[str, str]) -> str:
    out = "".join(scheme.get(c, c) for c in text.upper())
    return out.replace("IY", "Y") if scheme is _OLD else out


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + rng.choice("аеиоуклмнрст") + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]


def _date(rng: random.Random, born: dt.date) -> str:
    r = rng.random()
    if r < 0.03 and born.day <= 12 and born.day != born.month:
        born = born.replace(day=born.month, month=born.day)
    elif r < 0.05:
        born += dt.timedelta(days=rng.choice((-1, 1)))
    elif r < 0.07:
        return ""
    return born.isoformat()


def _address(rng: random.Random, a: tuple[str, str, str, str, int, int]) -> str:
    ltype, locality, stype, street, house, flat = a
    flat_part = f", кв. {flat}" if flat else ""
    formats = (
        f"{ltype} {locality}, {stype} {street}, д. {house}{flat_part}",
        f"Новосибирская обл., {ltype} {locality}, {stype} {street}, д.{house}{flat_part}",
        f"{locality}, {street} {house}" + (f"-{flat}" if flat else ""),
        f"630000, {locality} {ltype}, {street} {stype}, дом {house}" + (f", квартира {flat}" if flat else ""),
        f"{locality.upper()}, {street.upper()} {house}" + (f" КВ {flat}" if flat else ""),
    )
    return rng.choice(formats)


def _record(
    rng: random.Random, p: Person, agency: str, number: int, parent_snils: str | None
) -> dict[str, str]:
    dim, no_patr, has_snils, has_cert, latin, typo = _HABITS[agency]
    first = p.first_name
    males, females, _ = diminutives()
    forms = (males if p.sex == "M" else females).get(first, [])
    if forms and rng.random() < dim:
        first = rng.choice(forms)
    surname = p.surname
    if p.role == "mother" and rng.random() < 0.05 and surname.endswith("а"):
        surname = surname[:-1]  # the masculine form, as some systems write a family's surname
    patronymic = "" if rng.random() < no_patr else p.patronymic
    if rng.random() < typo:
        surname = _typo(rng, surname)
    if rng.random() < typo:
        first = _typo(rng, first)
    names = [surname, first, patronymic]
    if rng.random() < 0.5:
        names = [n.replace("ё", "е").replace("Ё", "Е") for n in names]
    if rng.random() < latin:
        scheme = rng.choice(_SCHEMES)
        names = [_latin(n, scheme).title() for n in names]
    elif rng.random() < 0.2:
        names = [n.upper() for n in names]
    snils = p.snils if p.snils and rng.random() < has_snils else None
    if parent_snils and rng.random() < _PARENT_SNILS:
        snils = parent_snils  # the agency typed the parent's SNILS into the child's record
    if snils and rng.random() < 0.5:
        snils = f"{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}"
    cert = p.birth_cert if p.birth_cert and rng.random() < has_cert else None
    if cert and rng.random() < 0.3:
        series, digits = cert.rsplit(" ", 1)  # "II-ЕТ 123456" -> "II ЕТ №123456" or lower case
        cert = f"{series.replace('-', ' ')} №{digits}" if rng.random() < 0.5 else cert.lower()
    return {
        "record_id": f"R{number:09d}", "agency": agency, "surname": names[0], "first_name": names[1],
        "patronymic": names[2], "birth_date": _date(rng, p.birth_date),
        "sex": "" if rng.random() < 0.3 else ("М" if p.sex == "M" else "Ж"),
        "snils": snils or "", "birth_cert": cert or "",
        "address": "" if rng.random() < 0.12 else _address(rng, p.address),
        "true_person_id": p.person_id, "family_id": p.family_id,
    }  # fmt: skip


def noisy_records(
    population: Population,
    seed: int,
    records_per_person: tuple[int, int] = (1, 3),
    agencies: Sequence[str] = tuple(_HABITS),
) -> list[dict[str, str]]:
    """Rows (``COLUMNS``) of noisy records: each person gets between ``records_per_person[0]``
    and ``[1]`` records from random agencies. Deterministic by ``seed``; rows are shuffled."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    low, high = records_per_person
    parents: dict[str, str] = {}
    for person in population.persons:
        if person.role != "child" and person.snils:
            parents.setdefault(person.family_id, person.snils)
    for person in population.persons:
        parent = parents.get(person.family_id) if person.role == "child" else None
        for _ in range(rng.randint(low, high)):
            rows.append(_record(rng, person, rng.choice(agencies), len(rows) + 1, parent))
    rng.shuffle(rows)
    return rows


def write_rows(rows: Iterable[dict[str, str]], path: Path) -> None:
    """Write rows as CSV with the ``COLUMNS`` header (UTF-8)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
