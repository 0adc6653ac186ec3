"""One linker: the same records through real intake (Kafka + PostgreSQL) and through
`signalhub link` fall into the same persons."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from typer.testing import CliRunner

from producers.simulator.people import generate_population, noisy_records, write_rows
from signalhub.settings import KafkaSettings
from signalhub.signals import RiskSignalModel
from signalhub.store.base import make_engine
from signalhub_cli import app
from tests.fixtures.intake import make_family, make_signal, publish, wait_for

pytestmark = pytest.mark.integration
_SEX = {"М": "M", "Ж": "F"}


def _signal(row: dict[str, str]) -> dict[str, Any] | None:
    """A police signal naming the record's person as its one child; None when the edge refuses it."""
    person = {
        "role": "child", "surname": row["surname"] or None, "first_name": row["first_name"] or None,
        "patronymic": row["patronymic"] or None,
        "birth_date": dt.date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
        "sex": _SEX.get(row["sex"]), "snils": row["snils"] or None, "birth_cert": row["birth_cert"] or None,
        "oms_policy": None,
    }  # fmt: skip
    signal = make_signal(make_family(0), record=row["record_id"], children=[person], adults=[])
    signal["address"]["text"] = row["address"] or "-"
    try:
        RiskSignalModel.from_avro(signal)
    except (ValidationError, ValueError):
        return None
    return signal


def _chain() -> list[dict[str, str]]:
    """Three records of one full name: with SNILS in Berdsk, without in Iskitim, with another
    SNILS in Iskitim. A linker comparing records one by one chains the third to the first
    through the second; intake, comparing with the person, never did."""
    rows = []
    for n, (snils, town) in enumerate((("112-233-445 95", "Бердск, ул. Мира"), ("", "Искитим, ул. Ленина"),
                                       ("123-456-789 64", "Искитим, ул. Ленина"))):  # fmt: skip
        rows.append({
            "record_id": f"CHAIN{n}", "surname": "Смирнов", "first_name": "Егор", "patronymic": "Юрьевич",
            "birth_date": "2015-03-12", "sex": "М", "snils": snils, "birth_cert": "",
            "address": f"г. {town}, д. 9, кв. 1", "true_person_id": f"CHAIN{n}", "family_id": "", "agency": "",
        })  # fmt: skip
    return rows


def _partition(pairs: list[tuple[str, str]]) -> set[frozenset[str]]:
    clusters: dict[str, set[str]] = {}
    for record, person in pairs:
        clusters.setdefault(person, set()).add(record)
    return {frozenset(c) for c in clusters.values()}


def test_intake_and_link_command_make_the_same_persons(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any], tmp_path: Path
) -> None:
    rows = noisy_records(generate_population(21, 60), 22) + _chain()
    signals = {row["record_id"]: s for row in rows if (s := _signal(row)) is not None}
    rows = [{**row, "address": row["address"] or "-"} for row in rows if row["record_id"] in signals]
    assert len(rows) > 200
    write_rows(rows, tmp_path / "in.csv")
    result = CliRunner().invoke(
        app, ["link", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        by_command = _partition([(r["record_id"], r["person_id"]) for r in csv.DictReader(handle)])

    runner = intake_thread(migrated_db, batch_size=50)
    publish(kafka_settings, [signals[row["record_id"]] for row in rows], partition=0)  # in file order
    engine = make_engine(migrated_db)
    query = (
        "SELECT s.source_record_id, p.person_id FROM signals s JOIN signal_persons p ON p.signal_id = s.id"
    )
    try:
        with engine.connect() as conn:

            def done() -> bool:
                return bool(conn.execute(text("SELECT count(*) FROM inbox")).scalar_one() == len(rows))

            wait_for(done, 120, "every signal")
            by_intake = _partition([(r, p) for r, p in conn.execute(text(query))])
    finally:
        engine.dispose()
    assert runner.error is None
    assert by_intake == by_command
    assert len(by_command) < len(rows)  # records were linked, not each left alone


def test_a_parents_snils_in_a_childs_record_never_makes_the_parent_a_child(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any]
) -> None:
    first, second = make_family(70), make_family(71)
    child = {**second.children[0], "snils": first.mother["snils"]}  # the other family's mother's SNILS
    runner = intake_thread(migrated_db, batch_size=1)
    publish(kafka_settings, [make_signal(first), make_signal(second, children=[child])], partition=0)
    engine = make_engine(migrated_db)
    try:
        with engine.connect() as conn:

            def done() -> bool:
                return bool(conn.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 2)

            wait_for(done, 60, "both signals")
            mother = conn.execute(
                text(
                    "SELECT p.id FROM persons p JOIN signal_persons l ON l.person_id = p.id "
                    "WHERE p.snils = :s AND l.role = 'mother'"
                ),
                {"s": first.mother["snils"]},
            )
            mother_id = mother.scalar_one()
            roles = conn.execute(
                text("SELECT role, band, evidence FROM signal_persons WHERE person_id = :p"), {"p": mother_id}
            ).all()
            possible = conn.execute(
                text(
                    "SELECT person_id, band, review_status, evidence FROM signal_persons WHERE band = 'possible'"
                )
            ).all()
    finally:
        engine.dispose()
    assert runner.error is None
    assert [r.role for r in roles] == ["mother"]  # the mother's person gained no child mention
    evidence = [(p, p.evidence if isinstance(p.evidence, list) else json.loads(p.evidence)) for p in possible]
    review, found = next((p, e) for p, e in evidence if {"candidate": mother_id} in e)  # queued for review
    assert (review.review_status, review.person_id != mother_id) == ("pending", True)
    assert {"rule": "identity_conflict"} in found


def test_the_same_mother_corroborates_a_childs_birth_date_a_digit_off(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any]
) -> None:
    """A second agency names the boy with his mother but mistypes a digit of his birth date, at
    a new address: his mother, named with him, is his person's mother, so the near date is a
    typo (a match). A namesake of his a digit apart, named with another mother, stays apart."""
    family, namesakes = make_family(80, children=1), make_family(81, children=1)
    boy = {**family.children[0], "snils": None, "birth_date": dt.date(2017, 5, 14)}
    moved = {**family.mother, "snils": None}  # the mother's own data agree; no identifier
    typed = {**boy, "birth_date": dt.date(2017, 5, 19)}
    namesake = {
        **namesakes.children[0],
        **{k: typed[k] for k in ("surname", "first_name", "patronymic", "sex", "birth_date")},
    }
    elsewhere = make_family(82)
    first = make_signal(family, children=[boy])
    second = make_signal(elsewhere, children=[typed], adults=[moved])
    third = make_signal(elsewhere, children=[namesake], adults=[namesakes.mother])
    runner = intake_thread(migrated_db, batch_size=1)
    publish(kafka_settings, [first, second, third], partition=0)  # one topic: in this order
    engine = make_engine(migrated_db)
    query = (
        "SELECT s.source_record_id, p.person_id, p.band, p.evidence FROM signals s "
        "JOIN signal_persons p ON p.signal_id = s.id WHERE p.role = 'child'"
    )
    try:
        with engine.connect() as conn:

            def done() -> bool:
                return bool(conn.execute(text("SELECT count(*) FROM inbox")).scalar_one() == 3)

            wait_for(done, 60, "three signals")
            rows = {r.source_record_id: r for r in conn.execute(text(query))}
    finally:
        engine.dispose()
    assert runner.error is None
    a, b, c = (rows[s["source_record_id"]] for s in (first, second, third))
    evidence = b.evidence if isinstance(b.evidence, list) else json.loads(b.evidence)
    assert (b.person_id, b.band) == (a.person_id, "match")
    assert {"field": "family", "level": "agrees", "weight": 0.0} in evidence
    assert (c.person_id != a.person_id, c.band) == (True, "possible")
