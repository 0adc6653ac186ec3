"""Normalisation rules of the linkage engine, on realistic Russian writings."""

from __future__ import annotations

import datetime as dt

import pytest

from signalhub.domain.linkage import PersonRecord, blocking_keys, normalise
from signalhub.domain.linkage.address import normalise_address
from signalhub.domain.linkage.names import first_name, patronymic, surname_key
from signalhub.domain.linkage.phonetic import phonetic_key


@pytest.mark.parametrize("spelling", ["Юлия", "ЮЛИЯ", "Iuliia", "Yuliya", "Julia", "Yulia"])
def test_julia_in_every_scheme(spelling: str) -> None:
    assert phonetic_key(spelling) == phonetic_key("Юлия")


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("Щукин", "Shchukin"), ("Хабаров", "Khabarov"), ("Жуков", "Zhukov"), ("Цветкова", "Tsvetkova"),
     ("Фёдор", "Fyodor"), ("Фёдор", "Fedor"), ("Сергей", "Sergey"), ("Дмитриев", "Dmitriyev"),
     ("Андреев", "Andreyev"), ("Наталья", "Natalya")],
)  # fmt: skip
def test_transliteration_folds_to_cyrillic_key(cyrillic: str, latin: str) -> None:
    assert phonetic_key(cyrillic) == phonetic_key(latin)


def test_yo_case_hyphen_and_latin_lookalikes() -> None:
    assert phonetic_key("Семёнов") == phonetic_key("СЕМЕНОВ")
    assert phonetic_key("Кoзлов") == phonetic_key("Козлов")  # Latin "o" typed inside
    assert surname_key("Петрова-Водкина") == surname_key("Петров Водкин")


@pytest.mark.parametrize(
    ("male", "female"),
    [("Иванов", "Иванова"), ("Ильин", "Ильина"), ("Волконский", "Волконская"), ("Толстой", "Толстая"),
     ("Белый", "Белая"), ("Ivanov", "Иванова"), ("Kovalevskii", "Ковалевская")],
)  # fmt: skip
def test_gendered_surname_endings_fold(male: str, female: str) -> None:
    assert surname_key(male) == surname_key(female)


def test_invariable_surnames_stay_and_differ_from_near_ones() -> None:
    assert surname_key("Шевченко") == "SHEVCHENKO"
    assert surname_key("Черных") != surname_key("Чернов")
    assert surname_key("Иванов") != surname_key("Иванин")


@pytest.mark.parametrize(
    ("form", "full"),
    [("Саша", "Александр"), ("Шура", "Александра"), ("Санёк", "Александр"), ("Маша", "Мария"),
     ("Маруся", "Мария"), ("Лёха", "Алексей"), ("Sasha", "Александр"), ("Настёна", "Анастасия")],
)  # fmt: skip
def test_diminutives_resolve_to_the_full_name(form: str, full: str) -> None:
    assert first_name(full).groups <= first_name(form).groups


def test_male_and_female_forms_share_a_group_and_sex_tells_them_apart() -> None:
    assert first_name("Александр").groups == first_name("Александра").groups
    assert (first_name("Александр").sex, first_name("Александра").sex) == ("M", "F")
    assert first_name("Саша").sex is None


def test_diminutive_with_a_typo_is_an_approximate_lookup() -> None:
    name = first_name("Сашя")
    assert name.groups == first_name("Александр").groups
    assert name.approx


@pytest.mark.parametrize(
    ("text", "stem", "sex"),
    [("Александрович", "ALEKSANDROV", "M"), ("Александровна", "ALEKSANDROV", "F"), ("Ильич", "IL", "M"),
     ("Ильинична", "IL", "F"), ("Никитична", "NIKIT", "F"), ("Sergeevich", "SERGEV", "M")],
)  # fmt: skip
def test_patronymic_stem_and_sex(text: str, stem: str, sex: str) -> None:
    assert patronymic(text) == (stem, sex)


@pytest.mark.parametrize(
    "text",
    ["г. Новосибирск, ул. Ленина, д. 12, кв. 34", "Новосибирск г, Ленина ул 12-34",
     "630000, Новосибирская обл., г Новосибирск, улица Ленина, дом 12, квартира 34",
     "НОВОСИБИРСК, ЛЕНИНА 12 КВ 34", "г.Новосибирск,ул.Ленина,д.12,кв.34"],
)  # fmt: skip
def test_address_formats_agree(text: str) -> None:
    address = normalise_address(text)
    assert address is not None
    assert (address.names, address.house, address.flat) == (frozenset({"НОВОСИБИРСК", "ЛЕНИНА"}), "12", "34")


def test_address_building_and_letter() -> None:
    a = normalise_address("г. Бердск, пр-т Карла Маркса, д. 5 корп. 2, кв. 7")
    b = normalise_address("Ленина 12 а, кв 3")
    assert a is not None
    assert (a.names, a.house, a.flat) == (
        frozenset({"БЕРДСК", "КАРЛА", "МАРКСА"}),
        "5К2",
        "7",
    )
    assert b is not None
    assert (b.house, b.flat) == ("12А", "3")


def test_normalise_record() -> None:
    n = normalise(PersonRecord("r1", "Семёнова", "Маша", "Ивановна", dt.date(2022, 3, 4), None,
                               "112-233-445 96", "ii-ло 123456", None))  # fmt: skip
    assert (n.surname, n.first_name, n.patronymic) == ("SEMENOV", "MARIA", "IVANOV")
    assert n.sex == "F"  # from the patronymic
    assert n.snils is None  # bad checksum -> missing
    assert n.birth_cert == "II-ЛО123456"
    assert not n.latin


def test_blocking_keys_are_plain_strings_without_raw_values() -> None:
    n = normalise(PersonRecord("r1", "Иванова", "Саша", None, dt.date(2021, 3, 4), "F", "11223344595"))
    keys = blocking_keys(n)
    assert "snils:11223344595" in keys
    assert all(isinstance(k, str) and "Иван" not in k for k in keys)


@pytest.mark.parametrize(
    "other",
    [
        PersonRecord("b", "Ivanova", "Aleksandra", None, dt.date(2021, 4, 3)),  # translit + swap
        PersonRecord("b", "Иванова", "Шура", "Сергеевна", dt.date(2021, 3, 5)),  # one day off
        PersonRecord("b", "Иваного", "Александра", "Сергеевна", dt.date(2021, 3, 5)),  # typo + one day
        PersonRecord("b", "Иванова", "Саша", "Сергеевна", None),  # no birth date
    ],
)
def test_true_matches_share_a_blocking_key(other: PersonRecord) -> None:
    a = normalise(PersonRecord("a", "Иванова", "Александра", "Сергеевна", dt.date(2021, 3, 4), "F"))
    assert blocking_keys(a) & blocking_keys(normalise(other))


def test_blocking_keys_fit_the_key_column_and_stay_distinct() -> None:
    """Found by the intake fuzz test (issue 13): names of 100 characters made keys longer than
    `person_keys.key` (120), which PostgreSQL refused."""
    from signalhub.domain.linkage.blocking import MAX_KEY_LENGTH

    born = dt.date(2020, 1, 2)
    keys = [
        blocking_keys(normalise(PersonRecord("r", "Ж" * 100, "Анна", patronymic, born)))
        for patronymic in ("Б" * 100, "Б" * 99 + "В")
    ]
    assert all(len(k) <= MAX_KEY_LENGTH for found in keys for k in found)
    assert keys[0] != keys[1]
