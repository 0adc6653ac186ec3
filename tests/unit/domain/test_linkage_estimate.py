"""EM estimation, identifier typos, swapped-name blocking and block ranking."""

from __future__ import annotations

import datetime as dt

from signalhub.domain.linkage import (
    PersonRecord,
    Registry,
    blocking_keys,
    compare,
    default_config,
    normalise,
    query_keys,
)
from signalhub.domain.linkage.compare import field_levels, levels_of
from signalhub.domain.linkage.estimate import estimate


def test_snils_one_digit_apart_is_strong_evidence_not_a_rule() -> None:
    a = normalise(PersonRecord("a", "Петров", "Пётр", snils="112-233-445 95"))
    b = normalise(PersonRecord("b", "Петров", "Пётр", snils="112-213-445 85"))  # one digit, valid
    assert a.snils is not None
    assert b.snils is not None
    comparison = compare(a, b)
    assert comparison.rule is None
    assert ("snils", "typo") in {(e.field, e.level) for e in comparison.evidence}
    assert comparison.score > 10


def test_birth_cert_one_digit_apart_or_other_series_is_a_typo() -> None:
    a = normalise(PersonRecord("a", "Иванова", birth_cert="II-ЕТ 123456"))
    for other in ("II-ЕТ 123457", "III-ЕТ 123456"):
        levels = {
            (e.field, e.level)
            for e in compare(a, normalise(PersonRecord("b", "Иванова", birth_cert=other))).evidence
        }
        assert ("birth_cert", "typo") in levels
    same = compare(a, normalise(PersonRecord("c", "Иванова", birth_cert="II-ЕТ 123456")))
    assert ("birth_cert", "exact") in {(e.field, e.level) for e in same.evidence}


def test_swapped_names_share_a_key() -> None:
    born = dt.date(1980, 3, 4)
    a = normalise(PersonRecord("a", "Смирнов", "Олег", birth_date=born))
    b = normalise(PersonRecord("b", "Олег", "Смирнов", birth_date=born))
    assert blocking_keys(a) & query_keys(b)


def test_identifier_halves_reach_a_mistyped_identifier() -> None:
    a = normalise(PersonRecord("a", "Петров", snils="112-233-445 95"))
    b = normalise(PersonRecord("b", "Сидоров", snils="112-213-445 85"))
    assert blocking_keys(a) & query_keys(b)


def test_registry_opens_small_blocks_first_and_stops_at_the_budget() -> None:
    registry = Registry()
    born = dt.date(1990, 1, 1)
    for n in range(30):
        registry.add(PersonRecord(f"r{n}", "Кузнецов", "Иван", birth_date=born.replace(day=1 + n % 28)))
    keys = query_keys(normalise(PersonRecord("q", "Кузнецов", "Иван", birth_date=born)))
    small = type(registry.config)(
        **{**{f: getattr(registry.config, f) for f in ("m_u", "fixed", "thresholds")}, "max_candidates": 1}
    )
    capped = Registry(small)
    for n in range(30):
        capped.add(PersonRecord(f"r{n}", "Кузнецов", "Иван", birth_date=born.replace(day=1 + n % 28)))
    assert len(list(capped.candidates(keys))) < len(list(registry.candidates(keys)))


def _people() -> list[PersonRecord]:
    firsts = ["Анна", "Олег", "Илья", "Вера", "Пётр", "Нина", "Глеб", "Лев"]
    surnames = ["Орлов", "Зайцев", "Соколов", "Волков", "Лебедев", "Козлов", "Новиков", "Морозов"]
    rows = []
    for n in range(64):
        surname, first = surnames[n % 8], firsts[n // 8]
        born = dt.date(1950 + n, 1 + n % 12, 1 + n % 27)
        rows.append(PersonRecord(f"a{n}", surname, first, birth_date=born, address=f"ул. Улица{n}, д. {n}"))
        rows.append(PersonRecord(f"b{n}", surname, first, birth_date=born, address=f"ул. Улица{n}, д. {n}"))
    return rows


def test_estimate_fits_m_u_to_the_records() -> None:
    config = estimate(_people())
    m, u = config.m_u["birth_date"]["exact"]
    assert m > u
    assert config.weight("surname", "exact") > 0 > config.weight("surname", "disagree")
    assert config.thresholds.match > config.thresholds.possible
    assert estimate([]) is not None


def test_reviewed_pairs_teach_the_model() -> None:
    """A reviewer's confirmed pattern raises its m; with no labels EM would call it a non-match."""
    people = [
        PersonRecord(f"r{n}", "Орлов", "Илья", birth_date=dt.date(1980 + n % 30, 1, 1)) for n in range(60)
    ]
    confirmed = {"surname": "exact", "first_name": "exact", "birth_date": "disagree"}
    plain = estimate(people, samples=2000)
    taught = estimate(people, samples=2000, labelled=[(confirmed, True)] * 50)
    assert taught.m_u["birth_date"]["disagree"][0] > plain.m_u["birth_date"]["disagree"][0]
    split = estimate(people, samples=2000, labelled=[(confirmed, False)] * 50)
    assert split.m_u["birth_date"]["disagree"][0] <= plain.m_u["birth_date"]["disagree"][0]


def test_levels_come_back_from_stored_evidence() -> None:
    a = normalise(PersonRecord("a", "Орлова", "Вера", birth_date=dt.date(2019, 7, 11)))
    b = normalise(PersonRecord("b", "Орлова", "Вера", birth_date=dt.date(2014, 3, 2)))
    comparison = compare(a, b)

    levels = {f: v for f, v in field_levels(a, b, default_config()).items() if v != "missing"}
    back = {
        f: v for f, v in levels_of((e.field, e.level) for e in comparison.evidence).items() if v != "missing"
    }
    assert back == levels
    assert back["child_far"] == "suspected"
