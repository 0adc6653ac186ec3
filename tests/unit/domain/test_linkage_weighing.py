"""Rules and evidence: an identifier with the first name and birth date disagreeing stays a
possible match; a near birth date on the same street is corroborated; twins with similar names."""

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
from signalhub.domain.linkage.compare import field_levels

D = dt.date
SNILS = "112-233-445 95"
HOME = "г. Бердск, ул. Мира, д. 3, кв. 4"


def test_an_identifier_with_first_name_and_birth_date_disagreeing_stays_a_possible_match() -> None:
    """A brother's SNILS typed into his adult brother's record: the same surname and flat, no
    patronymic to show the sibling pattern, a rare surname weighing much. The identifier does
    not decide, nor does all the household's data agreeing: a possible match for a person to
    look at, never joined."""
    config = default_config()
    holder = PersonRecord("h", "Цыдендамбаев", "Илья", None, D(1984, 3, 2), "M", SNILS, None, HOME)
    record = PersonRecord("r", "Цыдендамбаев", "Павел", None, D(1990, 1, 9), "M", SNILS, None, HOME)
    c = compare(normalise(record), normalise(holder), config)
    assert c.rule == "identity_conflict"
    assert classify(c.score, config.thresholds, c.rule) is Band.POSSIBLE
    registry = Registry(config)
    first, _ = registry.link(holder)
    assert registry.link(record)[0] != first


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


def test_a_different_identifier_is_outweighed_only_by_both_names_and_the_same_birth_date() -> None:
    """Two valid SNILS of one kind that differ (beyond a typo) say two persons: however the model
    weighs that (a fitted model may weigh it little where typed-in identifiers are common), a
    pair with a name or the birth date not agreeing (or missing) is at most a possible match:
    a namesake at the same flat born a digit apart, one with no birth date, another surname."""
    base = default_config()
    m_u = {name: dict(levels) for name, levels in base.m_u.items()}
    m_u["snils"]["disagree"] = (0.2, 0.9)  # a different SNILS weighs about -2
    config = replace(base, m_u=m_u)
    holder = PersonRecord("h", "Цыдендамбаев", "Илья", "Павлович", D(2015, 3, 12), "M", SNILS, None, HOME)
    other = "123-456-789 64"
    for namesake in (
        PersonRecord("r", "Цыдендамбаев", "Илья", "Павлович", D(2015, 3, 18), "M", other, None, HOME),
        PersonRecord("r", "Цыдендамбаев", "Илья", "Павлович", None, "M", other, None, HOME),
        PersonRecord("r", "Иванов", "Илья", "Павлович", D(2015, 3, 12), "M", other, None, HOME),
    ):
        c = compare(normalise(namesake), normalise(holder), config)
        assert c.score >= config.thresholds.match or namesake.birth_date is None, namesake  # weighed, a match
        assert c.rule == "different_identifier", namesake
        assert classify(c.score, config.thresholds, c.rule) is not Band.MATCH, namesake
    same = PersonRecord("r", "Цыдендамбаев", "Илья", "Павлович", D(2015, 12, 3), "M", other, None, HOME)
    c = compare(normalise(same), normalise(holder), config)  # all agree: the model's weights decide
    assert c.rule is None
    assert classify(c.score, config.thresholds, c.rule) is Band.MATCH
