"""Evidence weighed where a single rule used to decide: an identifier with the rest of the
household's data agreeing, a near birth date on the same street; twins with similar names."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from signalhub.domain.linkage import (
    Band,
    PersonRecord,
    Registry,
    classify,
    compare,
    default_config,
    normalise,
)
from signalhub.domain.linkage.compare import field_levels
from signalhub.domain.linkage.config import LinkageConfig

D = dt.date
SNILS = "112-233-445 95"
HOME = "г. Бердск, ул. Мира, д. 3, кв. 4"


def lenient() -> LinkageConfig:
    """Weights of data whose duplicates often have a first name and birth date rewritten
    (as FEBRL's corruptor does): the score, not a rule, should then decide."""
    base = default_config()
    m_u = {name: dict(levels) for name, levels in base.m_u.items()}
    for name in ("first_name", "birth_date"):
        m_u[name]["disagree"] = (0.3, 0.97)
    return replace(base, m_u=m_u)


def test_an_identifier_with_surname_and_house_agreeing_and_nothing_saying_a_relative_is_weighed() -> None:
    """The same number, surname and flat; no patronymic, sex or generation that differs (born
    six years apart): nothing shows a relative's number, so the first name and birth date are weighed against it and the
    score decides (was always a possible match, rule identity_conflict)."""
    config = lenient()
    a = PersonRecord("a", "Kelley", "Kimberly", None, D(1956, 6, 27), None, None, "III-СС 990210", HOME)
    b = PersonRecord("b", "Kelley", "Jessica", None, D(1962, 8, 31), None, None, "III-СС 990210", HOME)
    c = compare(normalise(a), normalise(b), config)
    assert c.rule == "identifier_agrees"
    assert classify(c.score, config.thresholds, c.rule) is Band.MATCH
    registry = Registry(config)
    first, _ = registry.link(a)
    assert registry.link(b)[0] == first


@pytest.mark.parametrize(
    "change",
    [
        {"patronymic": "Петрович"},  # another patronymic: a father's or mother's number
        {"sex": "F", "first_name": "Анна"},  # another sex: a spouse's
        {"birth_date": D(2016, 5, 2)},  # a child's birth date years off: another generation
        {"birth_date": D(1958, 5, 2)},  # an adult born 26 years earlier: could be a parent
        {"surname": "Сидоров"},  # another surname
        {"address": "г. Искитим, ул. Ленина, д. 8"},  # another town
    ],
)
def test_an_identifier_of_a_possible_relative_stays_an_identity_conflict(change: dict[str, Any]) -> None:
    config = lenient()
    holder = PersonRecord("h", "Орлов", "Илья", "Иванович", D(1984, 3, 2), "M", SNILS, None, HOME)
    record = replace(
        PersonRecord("r", "Орлов", "Павел", "Иванович", D(1990, 1, 9), "M", SNILS, None, HOME), **change
    )
    if "patronymic" not in change:
        record = replace(record, patronymic=None)  # the relative pattern must come from the change
    c = compare(normalise(record), normalise(holder), config)
    assert c.rule == "identity_conflict"
    assert classify(c.score, config.thresholds, c.rule) is Band.POSSIBLE


def test_a_near_birth_date_on_the_same_street_is_corroborated() -> None:
    """The same street of the same town (one record without the house, or another house)
    corroborates a date a day off, as the house does; another street does not."""
    a = PersonRecord("a", "Иванов", "Егор", "Юрьевич", D(2015, 3, 12), "M", address=HOME)
    b = PersonRecord(
        "b", "Иванов", "Егор", "Юрьевич", D(2015, 3, 13), "M", address="г. Бердск, ул. Мира, д. 17"
    )
    config = default_config()
    c = compare(normalise(a), normalise(b))
    assert c.rule is None
    assert classify(c.score, config.thresholds, c.rule) is Band.MATCH
    for elsewhere in ("г. Бердск, ул. Ленина, д. 17", "г. Бердск"):  # another street; the town alone
        assert compare(normalise(a), normalise(replace(b, address=elsewhere))).rule == "uncorroborated_date"


def test_another_street_with_the_same_house_number_does_not_corroborate_a_near_date() -> None:
    """Новосибирск, Мира 3 and Новосибирск, Ленина 3 share the town and the number, not the
    house (was near_house, counted as the same house: namesakes were joined)."""
    a = PersonRecord(
        "a", "Иванов", "Егор", "Юрьевич", D(2015, 3, 12), "M", address="г. Новосибирск, ул. Мира, д. 3"
    )
    b = replace(a, record_id="b", birth_date=D(2015, 3, 13), address="г. Новосибирск, ул. Ленина, д. 3")
    c = compare(normalise(a), normalise(b))
    assert c.rule == "uncorroborated_date"
    assert classify(c.score, default_config().thresholds, c.rule) is Band.POSSIBLE


def test_twins_with_similar_names_stay_twins() -> None:
    """Twins are often given similar names, some in no dictionary (Рустам and Руслан, Камила and
    Милана): two letters apart is no garbled name, the twin pattern stays."""
    config = default_config()
    for first, second in (("Мария", "Марина"), ("Рустам", "Руслан"), ("Камила", "Милана")):
        a = PersonRecord("a", "Орлова", first, "Ильинична", D(2019, 7, 11), None, address=HOME)
        b = replace(a, record_id="b", first_name=second)
        assert field_levels(normalise(a), normalise(b), config)["twins"] == "suspected"
        c = compare(normalise(a), normalise(b))
        assert classify(c.score, config.thresholds, c.rule) is Band.NON_MATCH
