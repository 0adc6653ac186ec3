"""Synthetic families for the benchmarks: common Russian surnames, first names and patronymics
(so namesakes are as frequent as in a region's registers), birth dates spread over the years,
half of the persons with a valid SNILS."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from signalhub.domain.identifiers import snils_check_digits

__all__ = ["family", "person"]

SURNAMES = [s + e for s in ("Иван", "Петр", "Сидор", "Кузнец", "Смирн", "Поп", "Волк", "Сокол", "Лебед", "Козл",
            "Новик", "Мороз", "Павл", "Семен", "Голуб", "Виногр", "Богдан", "Воробь", "Федор", "Михайл",
            "Беляк", "Тарас", "Белоус", "Комар", "Орл", "Андре", "Макар", "Никит", "Захар", "Зайц")
            for e in ("ов", "ин", "ев", "енков", "ицын", "овск")]  # fmt: skip
MALE = ["Александр", "Алексей", "Андрей", "Артём", "Владимир", "Дмитрий", "Евгений", "Иван", "Игорь", "Кирилл",
        "Максим", "Михаил", "Никита", "Николай", "Олег", "Павел", "Роман", "Сергей", "Юрий", "Егор",
        "Антон", "Борис", "Вадим", "Валерий", "Виктор", "Виталий", "Геннадий", "Григорий", "Денис", "Константин",
        "Леонид", "Матвей", "Пётр", "Руслан", "Станислав", "Степан", "Тимофей", "Фёдор", "Эдуард", "Ярослав"]  # fmt: skip
FEMALE = ["Анастасия", "Анна", "Валентина", "Вера", "Галина", "Дарья", "Екатерина", "Елена", "Ирина", "Ксения",
          "Людмила", "Мария", "Наталья", "Ольга", "Полина", "Светлана", "Софья", "Татьяна", "Юлия", "Алина",
          "Алла", "Варвара", "Василиса", "Виктория", "Диана", "Евгения", "Жанна", "Зоя", "Инна", "Кира",
          "Лариса", "Лидия", "Любовь", "Маргарита", "Надежда", "Нина", "Оксана", "Раиса", "Тамара", "Ульяна"]  # fmt: skip
PATR = [
    "Александров",
    "Сергеев",
    "Иванов",
    "Петров",
    "Андреев",
    "Дмитриев",
    "Николаев",
    "Михайлов",
    "Юрьев",
    "Алексеев",
    "Владимиров",
    "Евгеньев",
    "Игорев",
    "Кириллов",
    "Максимов",
    "Олегов",
    "Павлов",
    "Романов",
    "Антонов",
    "Борисов",
    "Вадимов",
    "Викторов",
    "Витальев",
    "Геннадьев",
    "Денисов",
    "Константинов",
    "Леонидов",
    "Матвеев",
    "Петров",
    "Русланов",
    "Станиславов",
    "Степанов",
    "Тимофеев",
    "Фёдоров",
    "Эдуардов",
]


def person(rng: random.Random, role: str, surname: str, born: date) -> dict[str, Any]:
    female = role == "mother" or (role == "child" and rng.random() < 0.5)
    nine = f"{rng.randrange(2_000_000, 999_999_999):09d}"
    return {
        "role": role, "surname": surname + ("а" if female else ""),
        "first_name": rng.choice(FEMALE if female else MALE),
        "patronymic": rng.choice(PATR) + ("на" if female else "ич"), "birth_date": born,
        "sex": "F" if female else "M", "snils": nine + snils_check_digits(nine) if rng.random() < 0.5 else None,
        "birth_cert": None, "oms_policy": None,
    }  # fmt: skip


# Children stay under 18 (the hub refuses a signal naming an adult as a child): the oldest is born
# 17 years before the first of this month, so a population is the same all month.
OLDEST_CHILD = date.today().replace(day=1) - timedelta(days=17 * 365)


def family(rng: random.Random) -> list[dict[str, Any]]:
    surname = rng.choice(SURNAMES)
    mother_born = date(1975, 1, 1) + timedelta(days=rng.randrange(0, 25 * 365))
    kids = [person(rng, "child", surname, OLDEST_CHILD + timedelta(days=rng.randrange(0, 17 * 365)))
            for _ in range(rng.randint(1, 3))]  # fmt: skip
    return [person(rng, "mother", surname, mother_born), *kids]
