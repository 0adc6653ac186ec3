"""Evidence for and against: identifiers weigh but do not decide, conflicting identifiers keep
persons apart (also through a chain of records), and namesakes need corroboration."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from signalhub.domain.linkage import (
    Band,
    PersonRecord,
    Registry,
    classify,
    compare,
    default_config,
    normalise,
)
from signalhub.domain.linkage.compare import field_levels, identifier_level
from signalhub.domain.linkage.frequencies import name_frequencies

D = dt.date
FATHER_SNILS = "112-233-445 95"


def band(a: PersonRecord, b: PersonRecord) -> Band:
    c = compare(normalise(a), normalise(b))
    return classify(c.score, default_config().thresholds, c.rule)


def test_a_parents_snils_in_a_childs_record_is_only_a_possible_match() -> None:
    father = PersonRecord("f", "Орлов", "Илья", "Петрович", D(1984, 3, 2), "M", FATHER_SNILS,
                          None, "г. Бердск, ул. Мира, д. 3, кв. 4")  # fmt: skip
    child = PersonRecord("c", "Орлова", "Вера", "Ильинична", D(2019, 7, 11), "F", FATHER_SNILS,
                         None, "г. Новосибирск, ул. Ленина, д. 12, кв. 34")  # fmt: skip
    assert compare(normalise(father), normalise(child)).rule == "identity_conflict"
    assert band(father, child) is Band.POSSIBLE
    registry = Registry()
    adult, _ = registry.link(father)
    person, decision = registry.link(child)
    assert (decision.band, decision.person_id) == (Band.POSSIBLE, adult)  # queued for review
    assert person != adult  # the adult gains no child's record, role or values
    assert registry.resolve(father).person_id == adult


def test_an_identifier_alone_is_at_least_a_possible_match() -> None:
    a = PersonRecord("a", "Петров", snils=FATHER_SNILS)
    b = PersonRecord("b", "Сидоров", snils=FATHER_SNILS)
    assert compare(normalise(a), normalise(b)).score < default_config().thresholds.possible
    assert band(a, b) is Band.POSSIBLE


def test_identifiers_beyond_a_two_digit_typo_or_transposition_disagree() -> None:
    assert identifier_level("112233445", "112233445") == "exact"
    assert identifier_level("112233445", "112233454") == "typo"  # transposition
    assert identifier_level("112233445", "112833449") == "typo"  # two digits
    assert identifier_level("112233445", "192833449") == "disagree"  # three digits
    assert identifier_level("II-ЕТ 123456", "II-ЕТ 654321") == "disagree"


def test_namesakes_with_different_valid_snils_in_other_towns_are_not_merged() -> None:
    a = PersonRecord("a", "Иванов", "Егор", "Юрьевич", D(2015, 3, 12), "M", "112-233-445 95",
                     None, "г. Бердск, ул. Мира, д. 3, кв. 4")  # fmt: skip
    for born in (D(2015, 4, 12), D(2016, 3, 12), D(2015, 3, 12)):
        b = PersonRecord("b", "Иванов", "Егор", "Юрьевич", born, "M", "123-456-789 64",
                         None, "г. Искитим, ул. Ленина, д. 9")  # fmt: skip
        assert band(a, b) is Band.NON_MATCH, born


def test_different_birth_certificates_weigh_strongly_against() -> None:
    a = PersonRecord("a", "Иванова", "Анна", "Юрьевна", D(2015, 3, 12), "F", None, "II-ЕТ 123456")
    b = PersonRecord("b", "Иванова", "Анна", "Юрьевна", D(2015, 3, 12), "F", None, "III-ЛО 654321")
    weights = {e.field: e.weight for e in compare(normalise(a), normalise(b)).evidence}
    assert weights["birth_cert"] < -15
    assert band(a, b) is Band.NON_MATCH


def test_no_chain_joins_records_with_conflicting_identifiers() -> None:
    """The third record resembles the second most, but the person also holds the first's SNILS."""
    registry = Registry()
    first = PersonRecord("1", "Смирнов", "Егор", "Юрьевич", D(2015, 3, 12), "M", "112-233-445 95",
                         None, "г. Бердск, ул. Мира, д. 3, кв. 4")  # fmt: skip
    second = PersonRecord("2", "Смирнов", "Егор", "Юрьевич", D(2015, 3, 12), "M", None,
                          None, "г. Искитим, ул. Ленина, д. 9, кв. 1")  # fmt: skip
    third = PersonRecord("3", "Смирнов", "Егор", "Юрьевич", D(2015, 3, 12), "M", "123-456-789 64",
                         None, "г. Искитим, ул. Ленина, д. 9, кв. 1")  # fmt: skip
    person, _ = registry.link(first)
    assert registry.link(second)[0] == person
    other, decision = registry.link(third)
    assert other != person
    assert ("snils", "disagree") in {(e.field, e.level) for e in decision.evidence}


def test_common_namesakes_a_digit_apart_need_corroboration() -> None:
    a = PersonRecord("a", "Иванов", "Егор", "Юрьевич", D(2015, 3, 12), "M")
    b = PersonRecord("b", "Иванов", "Егор", "Юрьевич", D(2015, 3, 13), "M")
    assert compare(normalise(a), normalise(b)).rule == "uncorroborated_date"
    assert band(a, b) is Band.POSSIBLE  # the score alone would make it a match
    assert compare(normalise(a), normalise(b)).score >= default_config().thresholds.match
    registry = Registry()
    assert registry.link(a)[0] != registry.link(b)[0]
    home = "г. Бердск, ул. Мира, д. 3, кв. 4"
    at_home = [PersonRecord(r.record_id, r.surname, r.first_name, r.patronymic, r.birth_date, r.sex,
                            address=home) for r in (a, b)]  # fmt: skip
    assert band(*at_home) is Band.MATCH


def test_a_rare_full_name_weighs_more_than_a_common_one_but_still_needs_corroboration() -> None:
    a = PersonRecord("a", "Заренский", "Евстафий", "Демидович", D(2015, 3, 12), "M")
    b = PersonRecord("b", "Заренский", "Евстафий", "Демидович", D(2015, 3, 13), "M")
    assert band(a, b) is Band.POSSIBLE
    shares = name_frequencies()
    common_share, rare_share = shares.share("surname", "SMIRNOV"), shares.share("surname", "ZARENSKI")
    assert common_share is not None
    assert rare_share is not None
    assert common_share > rare_share
    common = compare(
        normalise(PersonRecord("x", "Смирнов", "Александр")),
        normalise(PersonRecord("y", "Смирнов", "Александр")),
    )
    rare = compare(
        normalise(PersonRecord("x", "Заренский", "Евстафий")),
        normalise(PersonRecord("y", "Заренский", "Евстафий")),
    )
    assert rare.score > common.score + 3


def test_a_one_letter_typo_in_a_surname_or_in_a_diminutive_is_fuzzy_not_a_disagreement() -> None:
    config = default_config()
    smirnov = normalise(PersonRecord("a", "Смирнов", "Виктор", birth_date=D(1980, 11, 6)))
    typo = normalise(PersonRecord("b", "Стирнов", "Витюша", birth_date=D(1980, 11, 6)))
    assert field_levels(smirnov, typo, config)["surname"] == "fuzzy"
    kolya = normalise(PersonRecord("a", "Норинев", "Коляша", birth_date=D(2023, 3, 6)))
    typed = normalise(PersonRecord("b", "Норинев", "Ниоклай", "Игоревич", D(2023, 3, 6)))
    levels = field_levels(kolya, typed, config)
    assert (levels["first_name"], "twins" in levels) == ("fuzzy", False)
    twin = normalise(PersonRecord("c", "Норинев", "Дарья", "Игоревна", D(2023, 3, 6)))
    assert field_levels(kolya, twin, config)["first_name"] == "disagree"


def test_a_near_identifier_with_first_name_and_birth_date_disagreeing_is_at_most_possible() -> None:
    """A sister's SNILS typed with a transposition into a woman's record: the near number
    corroborates nothing while her own first name and birth date differ, however strongly a
    fitted model weighs a near number (EM fits it high on data with few typos)."""
    base = default_config()
    m_u = {name: dict(levels) for name, levels in base.m_u.items()}
    m_u["snils"]["typo"] = (0.9, 1e-8)
    fitted = replace(base, m_u=m_u)
    home = "г. Бердск, ул. Мира, д. 3, кв. 4"
    anna = PersonRecord("a", "Орлова", "Анна", "Петровна", D(1984, 3, 2), "F", FATHER_SNILS, None, home)
    olga = PersonRecord("o", "Орлова", "Ольга", "Ивановна", D(1990, 8, 21), "F", "112-233-454 96", None, home)
    assert identifier_level("112233445", "112233454") == "typo"
    comparison = compare(normalise(anna), normalise(olga), fitted)
    assert comparison.rule == "near_identifier_conflict"
    assert comparison.score >= fitted.thresholds.match  # the score alone would merge them
    assert classify(comparison.score, fitted.thresholds, comparison.rule) is Band.POSSIBLE
    registry = Registry(fitted)
    person, _ = registry.link(anna)
    other, decision = registry.link(olga)
    assert other != person
    assert (decision.band, decision.person_id) == (Band.POSSIBLE, person)
    # a near number with the first name (or birth date) agreeing is still corroboration
    typo = replace(anna, record_id="t", snils="112-233-454 96", address=None)
    assert compare(normalise(anna), normalise(typo), fitted).rule is None


def test_a_one_letter_typo_is_one_edit_however_the_letter_is_transliterated() -> None:
    """Я, Ш, Ч are two letters in a key: a typo in or next to them is still one letter of the
    written name, so the name is a typo of a form (fuzzy), not another child (twins)."""
    config = default_config()
    slava = normalise(PersonRecord("a", "Шириков", "Слава", "Демидович", D(1991, 4, 25)))
    for typed in ("Вучеслав", "Вячесав"):
        record = normalise(PersonRecord("b", "Шириков", typed, "Демидович", D(1991, 4, 25)))
        levels = field_levels(slava, record, config)
        assert (levels["first_name"], "twins" in levels) == ("fuzzy", False), typed
    tonya = normalise(PersonRecord("a", "Киселёва", "Антонина", "Мартиновна", D(2002, 10, 23)))
    swapped = normalise(PersonRecord("b", "Киселёва", "Тоян", "Мартиновна", D(2002, 10, 23)))
    assert field_levels(tonya, swapped, config)["first_name"] == "fuzzy"
    sister = normalise(PersonRecord("c", "Киселёва", "Татьяна", "Мартиновна", D(2002, 10, 23)))
    assert field_levels(tonya, sister, config)["first_name"] == "disagree"


def test_a_short_name_garbled_by_one_letter_is_a_typo_of_the_name_not_a_twin() -> None:
    """Вра is no name; one letter makes it Вера, the other record's name: a typo, not another
    child born the same day. Маия, no name either, is no form of Анна: the twin stays a twin."""
    config = default_config()
    home = "г. Новосибирск, ул. Мира, д. 3, кв. 4"
    vera = normalise(PersonRecord("a", "Орлова", "Верочка", "Ильинична", D(2019, 7, 11), "F", address=home))
    garbled = normalise(PersonRecord("b", "Орлова", "Вра", "Ильинична", D(2019, 7, 11), "F", address=home))
    levels = field_levels(vera, garbled, config)
    assert (levels["first_name"], "twins" in levels) == ("fuzzy", False)
    anna = normalise(PersonRecord("c", "Орлова", "Анна", "Ильинична", D(2019, 7, 11), "F", address=home))
    twin = normalise(PersonRecord("d", "Орлова", "Маия", "Ильинична", D(2019, 7, 11), "F", address=home))
    assert field_levels(anna, twin, config)["twins"] == "suspected"


def test_a_parents_snils_in_the_childs_own_record_is_the_parents_and_the_child_is_found() -> None:
    """The mother holds the SNILS; the record's names and birth date are her daughter's: the
    number is the mother's, typed in. Compared without it, the record is the daughter's."""
    home = "г. Бердск, ул. Мира, д. 3, кв. 4"
    mother = PersonRecord("m", "Орлова", "Ирина", "Петровна", D(1984, 3, 2), "F", FATHER_SNILS, None, home)
    daughter = PersonRecord("d", "Орлова", "Вера", "Ильинична", D(2019, 7, 11), "F", None, None, home)
    registry = Registry()
    mother_id, _ = registry.link(mother)
    daughter_id, _ = registry.link(daughter)
    typed_in = replace(daughter, record_id="t", snils=FATHER_SNILS)
    person, decision = registry.link(typed_in)
    assert (person, decision.band) == (daughter_id, Band.MATCH)
    assert ("snils", "another_person", 0.0) in {(e.field, e.level, e.weight) for e in decision.evidence}
    # the daughter's person neither keeps nor is found under her mother's number
    assert registry.resolve(replace(mother, record_id="m2")).person_id == mother_id
    assert registry.resolve(PersonRecord("x", snils=FATHER_SNILS)).person_id == mother_id


def test_the_holder_of_the_identifier_stays_a_possible_match_when_compared_again() -> None:
    """Compared again without the identifier, the record must not join its holder, however
    leniently a fitted model weighs a different first name, patronymic and birth date."""
    base = default_config()
    m_u = {name: dict(levels) for name, levels in base.m_u.items()}
    for name in ("first_name", "birth_date", "patronymic"):
        m_u[name]["disagree"] = (0.9, 0.97)
    lenient = replace(base, m_u=m_u)
    home = "г. Бердск, ул. Мира, д. 3, кв. 4"
    mother = PersonRecord("m", "Орлова", "Ирина", "Петровна", D(1984, 3, 2), "F", FATHER_SNILS, None, home)
    grandmother = PersonRecord(
        "g", "Орлова", "Галина", "Ивановна", D(1958, 7, 11), "F", FATHER_SNILS, None, home
    )
    without = compare(normalise(replace(grandmother, snils=None)), normalise(mother), lenient)
    assert classify(without.score, lenient.thresholds, without.rule) is Band.MATCH  # without the number
    registry = Registry(lenient)
    mother_id, _ = registry.link(mother)
    person, decision = registry.link(grandmother)
    assert (decision.band, decision.person_id, decision.rule) == (
        Band.POSSIBLE,
        mother_id,
        "identity_conflict",
    )
    assert person != mother_id
