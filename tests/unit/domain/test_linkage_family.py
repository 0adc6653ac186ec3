"""Family members as corroboration: a birth date a digit off is a typo when the mother named
with the record is the candidate's mother; a namesake with another mother stays apart."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from signalhub.domain.linkage import Band, PersonRecord, Registry, compare, default_config, normalise
from signalhub.domain.linkage.compare import levels_of
from signalhub.domain.linkage.estimate import estimate
from signalhub.domain.linkage.family import Household
from signalhub_cli import app

D = dt.date
EGOR = PersonRecord("e1", "Иванов", "Егор", "Юрьевич", D(2015, 3, 12), "M", None, None,
                    "г. Бердск, ул. Мира, д. 3, кв. 4")  # fmt: skip
MOTHER = PersonRecord("m1", "Иванова", "Светлана", "Петровна", D(1988, 6, 2), "F", None, None,
                      "г. Бердск, ул. Мира, д. 3, кв. 4")  # fmt: skip
# The same boy written by another agency: a digit of the day mistyped, the address of a new flat.
EGOR_TYPED = PersonRecord("e2", "Иванов", "Егор", "Юрьевич", D(2015, 3, 17), "M", None, None,
                          "г. Новосибирск, ул. Ленина, д. 9, кв. 1")  # fmt: skip
MOTHER_AGAIN = PersonRecord("m2", "Иванова", "Светлана", "Петровна", D(1988, 6, 2), "F", None, None,
                            "г. Новосибирск, ул. Ленина, д. 9, кв. 1")  # fmt: skip
OTHER_MOTHER = PersonRecord("m3", "Иванова", "Ольга", "Сергеевна", D(1990, 1, 20), "F", None, None,
                            "г. Новосибирск, ул. Ленина, д. 9, кв. 1")  # fmt: skip


def test_a_near_birth_date_alone_is_at_most_a_possible_match() -> None:
    comparison = compare(normalise(EGOR), normalise(EGOR_TYPED))
    assert comparison.rule == "uncorroborated_date"
    assert comparison.score >= default_config().thresholds.match  # the score alone would merge
    registry = Registry()
    (first, _), _ = registry.link_signal([EGOR, MOTHER])
    person, decision = registry.link(EGOR_TYPED)
    assert (person != first, decision.band) == (True, Band.POSSIBLE)


def test_the_same_mother_named_with_the_record_corroborates_a_near_birth_date() -> None:
    registry = Registry()
    (child, _), (mother, _) = registry.link_signal([EGOR, MOTHER])
    (again, decision), (mother_again, _) = registry.link_signal([EGOR_TYPED, MOTHER_AGAIN])
    assert (again, mother_again) == (child, mother)
    assert (decision.band, decision.rule) == (Band.MATCH, None)
    assert ("family", "agrees", 0.0) in {(e.field, e.level, e.weight) for e in decision.evidence}


def test_a_namesake_with_another_mother_is_not_corroborated() -> None:
    registry = Registry()
    (child, _), _ = registry.link_signal([EGOR, MOTHER])
    (other, decision), _ = registry.link_signal([EGOR_TYPED, OTHER_MOTHER])
    assert other != child
    assert (decision.band, decision.rule) == (Band.POSSIBLE, "uncorroborated_date")


def test_household_agrees_only_through_a_relatives_own_match() -> None:
    config = default_config()
    members = {"P1": [normalise(MOTHER)]}
    same = Household([normalise(MOTHER_AGAIN)], lambda p: members.get(p, []), config)
    other = Household([normalise(OTHER_MOTHER)], lambda p: members.get(p, []), config)
    assert (same.agrees("P1"), same.agrees("P2"), other.agrees("P1")) == (True, False, False)
    assert not Household([], lambda p: members.get(p, []), config).agrees("P1")


def test_a_reviewed_pair_corroborated_by_family_is_a_labelled_pair_the_model_can_use() -> None:
    evidence = [("surname", "exact"), ("birth_date", "typo"), ("family", "agrees")]
    assert levels_of(evidence) == {"surname": "exact", "birth_date": "typo"}
    fitted = estimate([EGOR, EGOR_TYPED, MOTHER, MOTHER_AGAIN], labelled=[(levels_of(evidence), True)])
    assert "family" not in fitted.m_u


def test_link_command_links_the_rows_of_one_signal_as_a_family(tmp_path: Path) -> None:
    columns = ("record_id", "surname", "first_name", "patronymic", "birth_date", "sex", "address")
    records = (EGOR, MOTHER, EGOR_TYPED, MOTHER_AGAIN)

    def clusters(signals: tuple[str, ...]) -> dict[str, str]:
        with (tmp_path / "in.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow((*columns, "signal"))
            for record, signal in zip(records, signals, strict=True):
                values = [getattr(record, c) for c in columns]
                writer.writerow([*("" if v is None else str(v) for v in values), signal])
        result = CliRunner().invoke(
            app, ["link", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
        )
        assert result.exit_code == 0, result.output
        with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
            return {row["record_id"]: row["person_id"] for row in csv.DictReader(handle)}

    together = clusters(("s1", "s1", "s2", "s2"))
    assert together["e1"] == together["e2"]  # the mother named with him corroborates the date
    alone = clusters(("", "", "", ""))
    assert alone["e1"] != alone["e2"]  # a near date alone joins no one
