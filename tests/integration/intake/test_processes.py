"""Real `signalhub intake run` processes on PostgreSQL: three in one group create no duplicate
person or case (invariant 3); one killed with SIGKILL mid-stream and restarted ends with the same
database as an uninterrupted run (invariants 1 and 2)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from signalhub.settings import KafkaSettings
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import make_family, make_signal, publish, wait_for

pytestmark = pytest.mark.integration
SIGNALHUB = str(Path(sys.executable).parent / "signalhub")


def start(
    kafka: KafkaSettings, db_url: str, group: str, batch_size: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **kafka.environment(),
        "SIGNALHUB_DB_URL": db_url,
        "SIGNALHUB_REGION_CODE": "31",  # the region of the test signals
    }
    out = log.open("ab")
    return subprocess.Popen(
        [SIGNALHUB, "intake", "run", "--group", group, "--batch-size", str(batch_size)],
        env=env, stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def scalar(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_three_processes_create_no_duplicates(
    kafka_settings: KafkaSettings,
    kafka_as: Callable[[str], KafkaSettings],
    fresh_pg_url: str,
    unique_group: Callable[[str], str],
    tmp_path: Path,
) -> None:
    migrate.upgrade(fresh_pg_url)
    families = [make_family(n) for n in range(30)]
    signals = []
    for fam in families:  # five agencies, five topics, keys spread over partitions; overlapping people
        for i, agency in enumerate(("police", "health", "education", "guardianship", "social")):
            kids = fam.children if i % 2 == 0 else [fam.children[i % 2]]
            signals.append(make_signal(fam, agency, children=kids))
    group = unique_group("intake")
    procs = [
        start(kafka_as("intake"), fresh_pg_url, group, 10, tmp_path / f"intake{i}.log") for i in range(3)
    ]
    try:
        publish(kafka_settings, signals)
        wait_for(
            lambda: scalar(fresh_pg_url, "SELECT count(*) FROM inbox") == len(signals), 120, "every signal"
        )
        assert all(p.poll() is None for p in procs)
    finally:
        for p in procs:
            stop(p)
    assert [p.returncode for p in procs] == [0, 0, 0]  # SIGTERM stops cleanly
    assert scalar(fresh_pg_url, "SELECT count(*) FROM persons") == 30 * 3
    assert scalar(fresh_pg_url, "SELECT count(DISTINCT family_id) FROM persons") == 30
    assert scalar(fresh_pg_url, "SELECT count(*) FROM cases WHERE status != 'closed'") == 30
    assert scalar(fresh_pg_url, "SELECT count(*) FROM signals") == len(signals)
    assert scalar(fresh_pg_url, "SELECT count(DISTINCT case_id) FROM signals") == 30


def _done(url: str, expected: int) -> bool:
    return bool(scalar(url, "SELECT count(*) FROM inbox") == expected)


def canonical(url: str) -> dict[str, Any]:
    """The database without generated ids: persons, families, cases and signals by content."""
    engine = make_engine(url)
    with engine.connect() as c:
        persons = {r.id: (r.surname, r.first_name, r.patronymic, str(r.birth_date), r.sex, r.snils)
                   for r in c.execute(text("SELECT * FROM persons"))}  # fmt: skip
        family: dict[str, list[Any]] = {}
        for r in c.execute(text("SELECT id, family_id FROM persons")):
            family.setdefault(r.family_id, []).append(persons[r.id])
        fam_key = {f: tuple(sorted(ps)) for f, ps in family.items()}
        srid = {r.id: r.source_record_id for r in c.execute(text("SELECT id, source_record_id FROM signals"))}
        signals = sorted(
            (r.agency, r.source_record_id, r.event_id, r.version, r.severity, srid.get(r.corroborates_id),
             fam_key.get(r.family_id))
            for r in c.execute(text("SELECT * FROM signals"))
        )  # fmt: skip
        by_case: dict[str, list[str]] = {}
        for r in c.execute(text("SELECT case_id, source_record_id FROM signals")):
            by_case.setdefault(r.case_id, []).append(r.source_record_id)
        cases = sorted(
            (fam_key.get(r.family_id), r.status, r.priority_level, r.priority_score, json.dumps(r.agencies),
             tuple(sorted(by_case.get(r.id, []))))
            for r in c.execute(text("SELECT * FROM cases"))
        )  # fmt: skip
        receipts = sorted((r.message_id, r.ce_type) for r in c.execute(
            text("SELECT message_id, ce_type FROM outbox WHERE contract = 'SignalReceipt'")))  # fmt: skip
        alerts = sorted(
            r.ce_type for r in c.execute(text("SELECT ce_type FROM outbox WHERE contract = 'CaseAlert'"))
        )
        links = c.execute(text("SELECT count(*) FROM signal_persons")).scalar_one()
    engine.dispose()
    return {"persons": sorted(persons.values()), "families": sorted(fam_key.values()), "signals": signals,
            "cases": cases, "receipts": receipts, "alerts": alerts, "links": links}  # fmt: skip


def test_sigkill_mid_stream_then_restart_equals_uninterrupted_run(
    kafka_settings: KafkaSettings,
    kafka_as: Callable[[str], KafkaSettings],
    make_pg_database: Callable[[], str],
    unique_group: Callable[[str], str],
    tmp_path: Path,
) -> None:
    crashed, reference = make_pg_database(), make_pg_database()
    for url in (crashed, reference):
        migrate.upgrade(url)
    signals = []
    for fam in (make_family(n) for n in range(40, 80)):
        first = make_signal(fam, "police", severity="medium")
        signals += [first, make_signal(fam, "police", children=[fam.children[0]]), first]  # a resend
        signals.append({**first, "event_id": str(uuid.uuid4()), "severity": "critical"})  # an amendment
    publish(kafka_settings, signals, partition=0)  # one partition: one order for both runs
    expected = len(signals) - 40

    group = unique_group("intake-crash")
    proc = start(kafka_as("intake"), crashed, group, 7, tmp_path / "crash.log")
    wait_for(lambda: scalar(crashed, "SELECT count(*) FROM inbox") >= 40, 90, "a part of the stream")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert scalar(crashed, "SELECT count(*) FROM inbox") < expected
    # Restart in the same group: it resumes from the committed offsets.
    proc = start(kafka_as("intake"), crashed, group, 7, tmp_path / "crash.log")
    ref = start(
        kafka_as("intake"), reference, unique_group("intake-reference"), 7, tmp_path / "reference.log"
    )
    try:
        for url in (crashed, reference):
            wait_for(partial(_done, url, expected), 90, "the whole stream")
        wait_for(lambda: canonical(crashed)["receipts"] == canonical(reference)["receipts"], 30, "receipts")
    finally:
        stop(proc)
        stop(ref)
    assert canonical(crashed) == canonical(reference)
