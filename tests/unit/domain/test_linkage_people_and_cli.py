"""The people generator (ground truth for linkage) and the ``signalhub link`` command."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

from rapidfuzz.distance import OSA
from typer.testing import CliRunner

from producers.simulator.people import Person, generate_population, noisy_records, patronymic_of, write_rows
from producers.simulator.people_names import NEAR_NAMES
from producers.simulator.people_noise import COLUMNS
from signalhub.domain.identifiers import birth_cert_normalise, snils_valid
from signalhub_cli import app


def test_population_is_deterministic_and_realistic() -> None:
    a, b = generate_population(5, 300), generate_population(5, 300)
    assert a == b
    assert generate_population(6, 300) != a
    roles = Counter(p.role for p in a.persons)
    assert roles["mother"] == 300
    assert 0 < roles["father"] < 300
    assert roles["child"] >= 300
    assert all(snils_valid(p.snils) for p in a.persons if p.snils)
    assert all(p.birth_cert for p in a.persons if p.role == "child" and p.birth_cert)
    women = [p for p in a.persons if p.sex == "F" and p.surname.endswith(("ов", "ев", "ин"))]
    assert not women  # female surnames take the feminine ending
    assert any(p.birth_cert and p.birth_cert.startswith(("I-", "II-")) for p in a.persons)


def test_population_is_the_same_in_every_process() -> None:
    """Same seed, same persons, whatever the process's string hashing (a set's order once
    chose a sibling's near name, so two runs of a benchmark linked different populations)."""
    code = (
        "from producers.simulator.people import generate_population, noisy_records as n;"
        "p = generate_population(3, 400); print(repr((p, n(p, 4))))"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                       capture_output=True, text=True, check=True).stdout
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert len(outputs) == 1


def test_patronymics_follow_the_father() -> None:
    assert patronymic_of("Сергей", "M") == "Сергеевич"
    assert patronymic_of("Юрий", "F") == "Юрьевна"
    assert patronymic_of("Илья", "F") == "Ильинична"
    assert patronymic_of("Игорь", "M") == "Игоревич"
    assert patronymic_of("Иван", "F") == "Ивановна"


def test_hard_negatives_are_planted() -> None:
    persons = generate_population(3, 2000).persons
    children = [p for p in persons if p.role == "child"]
    by_birth = Counter((p.family_id, p.birth_date) for p in children)
    assert any(n >= 2 for n in by_birth.values())  # twins
    full_names = Counter((p.surname, p.first_name, p.patronymic) for p in children)
    namesakes = [k for k, n in full_names.items() if n >= 2]
    assert namesakes
    dates: dict[tuple[str, str, str], set[dt.date]] = {
        (p.surname, p.first_name, p.patronymic): set() for p in children
    }
    for p in children:
        dates[(p.surname, p.first_name, p.patronymic)].add(p.birth_date)
    assert any(len(dates[k]) >= 2 for k in namesakes)


def test_namesakes_are_born_a_digit_apart_in_another_town_with_their_own_identifiers() -> None:
    children = [p for p in generate_population(3, 3000).persons if p.role == "child"]
    by_name: dict[tuple[str, str, str], list[Person]] = {}
    for p in children:
        by_name.setdefault((p.surname, p.first_name, p.patronymic), []).append(p)
    pairs = [
        (a, b) for group in by_name.values() for a, b in combinations(group, 2) if a.family_id != b.family_id
    ]
    near = [(a, b) for a, b in pairs if OSA.distance(a.birth_date.isoformat(), b.birth_date.isoformat()) <= 1
            or abs((a.birth_date - b.birth_date).days) <= 1]  # fmt: skip
    assert len(near) >= 10
    assert all(a.address[1] != b.address[1] for a, b in near)
    assert all(a.snils != b.snils or a.snils is None for a, b in near)


def test_siblings_with_near_names_and_a_parents_snils_in_a_childs_record() -> None:
    population = generate_population(4, 2000)
    persons = {p.person_id: p for p in population.persons}
    names = {(p.family_id, p.first_name) for p in population.persons if p.role == "child"}
    assert sum((family, NEAR_NAMES[first]) in names for family, first in names if first in NEAR_NAMES) >= 10
    rows = noisy_records(population, 5)
    parents = {p.snils for p in population.persons if p.role != "child" and p.snils}
    foreign = [r for r in rows if r["snils"] and persons[r["true_person_id"]].role == "child"
               and r["snils"] in parents]  # fmt: skip
    assert len(foreign) >= 20


def test_noisy_records_keep_ground_truth(tmp_path: Path) -> None:
    population = generate_population(1, 200)
    rows = noisy_records(population, 2)
    assert rows == noisy_records(population, 2)
    assert {tuple(r) for r in rows} == {COLUMNS}
    assert {r["true_person_id"] for r in rows} == {p.person_id for p in population.persons}
    assert any(r["surname"].isascii() and r["surname"] for r in rows)  # Latin spellings
    write_rows(rows, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text("utf-8").startswith(",".join(COLUMNS))


def test_every_birth_certificate_written_is_one_an_agency_could_write() -> None:
    """Series, then the number with or without "№" ("II ЕТ №123456"), never "№" inside the
    series (the noise once wrote "II №ЕТ 123456", which no agency does and no parser reads)."""
    certificates = [r["birth_cert"] for r in noisy_records(generate_population(4, 300), 5) if r["birth_cert"]]
    assert any("№" in c for c in certificates)
    assert all(birth_cert_normalise(c) is not None for c in certificates)


def test_link_command_clusters_a_file(tmp_path: Path) -> None:
    population = generate_population(9, 150)
    rows = noisy_records(population, 10)
    write_rows(rows, tmp_path / "in.csv")
    result = CliRunner().invoke(
        app, ["link", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        clusters = {r["record_id"]: r["person_id"] for r in csv.DictReader(handle)}
    assert set(clusters) == {r["record_id"] for r in rows}
    truth = {r["record_id"]: r["true_person_id"] for r in rows}
    pairs = Counter((truth[r], clusters[r]) for r in clusters)
    assert len(pairs) <= len(population.persons) * 1.05  # few splits
    assert len(set(clusters.values())) >= len(population.persons) * 0.97  # few merges


def test_link_command_reports_a_malformed_row_without_values(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "record_id,surname,birth_date,sex\nr1,Иванов,2020-01-02,М\nr2,Петров,31.12.2020,М\n", "utf-8"
    )
    result = CliRunner().invoke(app, ["link", "--input", str(source), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "row 3" in result.output
    assert "birth_date" in result.output
    assert "Петров" not in result.output
    assert "31.12.2020" not in result.output


def test_link_command_requires_record_id(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("surname\nИванов\n", "utf-8")
    result = CliRunner().invoke(app, ["link", "--input", str(source), "--output", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "record_id" in result.output
