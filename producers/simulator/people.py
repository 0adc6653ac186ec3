"""Deterministic population of Russian families, for tests, benchmarks and the simulator.

``generate_population(seed, families)`` gives families of a mother, often a father, and one to
four children (many under four): surnames with the right gendered ending, patronymics from the
father's name, SNILS for some, birth certificates for children, an address in Novosibirsk
region. Hard negatives for linkage are planted on purpose: twins (same birth date and address,
different first names), siblings with near names (Мария and Марина), and namesakes (same full
name) born a day or a digit apart in another town, with identifiers of their own.
``noisy_records`` (in ``people_noise``) writes them as agencies would, sometimes with a parent's
SNILS in a child's record.
Names and their inflection (``feminine``, ``patronymic_of``) live in ``people_names``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Literal

from producers.simulator.people_names import (
    NEAR_NAMES,
    Sex,
    father_names,
    feminine,
    patronymic_of,
    surname_pool,
)
from producers.simulator.people_noise import noisy_records, write_rows
from signalhub.domain.identifiers import snils_check_digits
from signalhub.domain.linkage.resources import diminutives

__all__ = [
    "Person",
    "Population",
    "feminine",
    "generate_population",
    "noisy_records",
    "patronymic_of",
    "write_rows",
]

Role = Literal["mother", "father", "child"]
TODAY = dt.date(2025, 6, 1)


def _words(text: str) -> list[str]:
    return text.split()


_REGION = (
    ("г.", "Новосибирск", 0.6), ("г.", "Бердск", 0.08), ("г.", "Искитим", 0.06), ("г.", "Обь", 0.04),
    ("р.п.", "Коченёво", 0.05), ("р.п.", "Краснообск", 0.05), ("с.", "Ордынское", 0.04),
    ("г.", "Куйбышев", 0.04), ("с.", "Лебедевка", 0.02), ("д.", "Ивановка", 0.02),
)  # fmt: skip
_STREETS = _words(
    "Ленина Мира Советская Гоголя Кирова Титова Сибирская Садовая Школьная Молодёжная Новая Заречная "
    "Лесная Зелёная Октябрьская Пушкина Гагарина Чехова Фрунзе Дзержинского Жуковского Есенина "
    "Полевая Комсомольская Рабочая Строителей Первомайская Вокзальная Центральная Кутузова "
    "Станиславского Ватутина Блюхера Немировича-Данченко Челюскинцев Овражная Линейная Тюленина "
    "Беловежская Учительская"
)
_STREET_TYPES = ("ул.", "ул.", "ул.", "ул.", "пр-т", "пер.", "мкр.")


@dataclass(frozen=True, slots=True)
class Person:
    """One true person. ``address`` holds (locality type, locality, street type, street, house,
    flat or 0)."""

    person_id: str
    family_id: str
    role: Role
    surname: str
    first_name: str
    patronymic: str
    birth_date: dt.date
    sex: Sex
    snils: str | None
    birth_cert: str | None
    address: tuple[str, str, str, str, int, int]


@dataclass(frozen=True, slots=True)
class Population:
    """All persons of the generated families, in generation order."""

    seed: int
    persons: tuple[Person, ...]


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.surnames, self.weights = surname_pool()
        males, females, _ = diminutives()
        self.names: dict[Sex, list[str]] = {"M": list(males), "F": list(females)}
        self.fathers = father_names(males)
        self.persons: list[Person] = []
        self.families: list[tuple[str, str, tuple[Sex, str], dt.date, str]] = []

    def name(self, sex: Sex) -> str:
        pool = self.names[sex]
        return pool[min(int(self.rng.expovariate(1 / 14)), len(pool) - 1)]

    def snils(self) -> str:
        nine = f"{(len(self.persons) * 7919 + 3_000_017) % 997_000_000 + 2_000_000:09d}"
        return nine + snils_check_digits(nine)

    def birth_cert(self) -> str:
        idx = len(self.persons)
        return f"{('I', 'II', 'III', 'IV')[idx // 3_000_000 % 4]}-{('ЕТ', 'ЛО', 'МЮ')[idx % 3]} {idx * 7919 % 1_000_000:06d}"

    def address(self, elsewhere_than: str = "") -> tuple[str, str, str, str, int, int]:
        rng = self.rng
        ltype, locality, _ = rng.choices(_REGION, weights=[w for *_, w in _REGION])[0]
        while locality == elsewhere_than:
            ltype, locality, _ = rng.choice(_REGION)
        flat = rng.randint(1, 280) if ltype == "г." and rng.random() < 0.85 else 0
        street = _STREETS[min(int(rng.expovariate(1 / 12)), len(_STREETS) - 1)]
        return ltype, locality, rng.choice(_STREET_TYPES), street, rng.randint(1, 160), flat

    def add(self, family: str, role: Role, surname: str, first: str, patr: str, born: dt.date, sex: Sex,
            address: tuple[str, str, str, str, int, int]) -> None:  # fmt: skip
        child = role == "child"
        snils = self.snils() if self.rng.random() < (0.45 if child else 0.7) else None
        cert = self.birth_cert() if child and self.rng.random() < 0.9 else None
        pid = f"T{len(self.persons) + 1:08d}"
        person = Person(pid, family, role, surname if sex == "M" else feminine(surname), first, patr, born,
                        sex, snils, cert, address)  # fmt: skip
        self.persons.append(person)


_CHILD_COUNTS = (1, 2, 3, 4)
_CHILD_WEIGHTS = (40, 35, 17, 8)


def _child_birth(rng: random.Random, mother_born: dt.date) -> dt.date:
    """A child at most 15 on the fixed `TODAY` (2025-06-01), so still under 18 (the validation's
    rule) in every signal simulated before mid-2028."""
    days = rng.randint(0, 4 * 365) if rng.random() < 0.55 else rng.randint(4 * 365, 15 * 365)
    return max(TODAY - dt.timedelta(days=days), mother_born + dt.timedelta(days=18 * 365))


def _spaced_birth(rng: random.Random, mother_born: dt.date, births: list[dt.date]) -> dt.date:
    """A birth date at least ~10 months from the siblings' (twins are made by the caller)."""
    born = _child_birth(rng, mother_born)
    for _ in range(30):
        if all(abs((born - other).days) >= 300 for other in births):
            break
        born = _child_birth(rng, mother_born)
    return born


def _digit_off(rng: random.Random, born: dt.date) -> dt.date:
    """A child's birth date a day or one digit away (the kind of date a typo gives), still within
    the ages `_child_birth` gives: a digit of the decade must not make the child an adult."""
    earliest = TODAY - dt.timedelta(days=15 * 365)
    for _ in range(20):
        text = born.isoformat()
        i = rng.choice((2, 3, 6, 8, 9))
        other = text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1 :]
        try:
            candidate = dt.date.fromisoformat(other)
        except ValueError:
            continue
        if earliest <= candidate <= TODAY:
            return candidate
    return born - dt.timedelta(days=1)


def _family(b: _Builder, index: int, namesake_rate: float, twin_rate: float, near_name_rate: float) -> None:
    rng = b.rng
    fid = f"F{index + 1:07d}"
    surname = rng.choices(b.surnames, b.weights)[0]
    father = b.fathers[min(int(rng.expovariate(1 / 14)), len(b.fathers) - 1)]
    namesake = b.families and rng.random() < namesake_rate
    copied_birth, town = None, ""
    if namesake:
        surname, father, copied, copied_birth, town = rng.choice(b.families)
    address = b.address(elsewhere_than=town)
    mother_born = TODAY - dt.timedelta(days=rng.randint(20 * 365, 46 * 365))
    has_father = rng.random() < 0.7
    maiden = rng.choices(b.surnames, b.weights)[0] if not has_father or rng.random() < 0.15 else surname
    b.add(
        fid,
        "mother",
        maiden,
        b.name("F"),
        patronymic_of(rng.choice(b.fathers), "F"),
        mother_born,
        "F",
        address,
    )
    if has_father:
        born = mother_born - dt.timedelta(days=rng.randint(-3 * 365, 8 * 365))
        b.add(fid, "father", surname, father, patronymic_of(rng.choice(b.fathers), "M"), born, "M", address)
    kids = surname if has_father or namesake else maiden
    taken: set[str] = set()
    named: list[str] = []  # the children's names in birth order (a set's order varies by process)
    births: list[dt.date] = []
    for i in range(rng.choices(_CHILD_COUNTS, _CHILD_WEIGHTS)[0]):
        if not births or rng.random() >= twin_rate:
            born = _spaced_birth(rng, mother_born, births)
        births.append(born)
        sex: Sex = rng.choice(("M", "F"))
        first = b.name(sex)
        while first in taken:
            first = b.name(sex)
        near = [NEAR_NAMES[n] for n in named if NEAR_NAMES.get(n) in b.names[sex]]  # eldest first
        if near and rng.random() < near_name_rate:
            first = near[0]  # a sibling named almost like another: Мария and Марина
        if namesake and i == 0:
            sex, first = copied
            if copied_birth is not None:
                born = _digit_off(rng, copied_birth)
        taken.add(first)
        named.append(first)
        b.add(fid, "child", kids, first, patronymic_of(father, sex), born, sex, address)
    if not namesake:
        child = b.persons[-1]
        b.families.append((kids, father, (child.sex, child.first_name), child.birth_date, address[1]))


def generate_population(
    seed: int,
    families: int,
    namesake_rate: float = 0.01,
    twin_rate: float = 0.04,
    near_name_rate: float = 0.1,
) -> Population:
    """``families`` families drawn deterministically from ``seed`` (same seed, same persons).

    A ``namesake_rate`` share of families live in another town than an earlier family whose
    surname and father's name they repeat, and name their first child like that family's
    youngest, born a day or one digit apart (same full name, near birth date, own identifiers);
    ``twin_rate`` is the chance that a next child shares the previous one's birth date, and
    ``near_name_rate`` that a child is named almost like an elder sibling (``NEAR_NAMES``).
    """
    builder = _Builder(seed)
    for index in range(families):
        _family(builder, index, namesake_rate, twin_rate, near_name_rate)
    return Population(seed, tuple(builder.persons))
