"""Intake on the real broker, on SQLite and PostgreSQL: dedup levels, amendment, corroboration,
families joined through the mother, dead letters with a rejected receipt each."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from schemas.codec import Codec
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import KafkaSettings
from signalhub.store.base import make_engine
from tests.fixtures.intake import encode, make_family, make_signal, publish, wait_for

pytestmark = pytest.mark.integration


def rows(url: str, sql: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def count(url: str, table: str, where: str = "1=1") -> int:
    return int(rows(url, f"SELECT count(*) FROM {table} WHERE {where}")[0][0])


def receipts(url: str) -> dict[str, dict[str, Any]]:
    """Receipt payloads by source record id (the last one per record)."""
    out: dict[str, dict[str, Any]] = {}
    for (payload,) in rows(url, "SELECT payload FROM outbox WHERE contract = 'SignalReceipt' ORDER BY id"):
        data = payload if isinstance(payload, dict) else json.loads(payload)
        out[data["source_record_id"] or data["event_id"]] = data
    return out


def test_dedup_amendment_corroboration_and_mother(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any]
) -> None:
    fam, other = make_family(1), make_family(2)
    first = make_signal(fam, "police", record="kusp-1")
    same_event = dict(first)  # resent with the same event id: no effect
    amended = {**first, "event_id": str(uuid.uuid4()), "severity": "critical"}
    corroborating = make_signal(fam, "health", record="hosp-1", adults=[])  # children only, same concern
    about_mother = make_signal(fam, "social", record="soc-1", children=[fam.children[0]], adults=[fam.mother])
    unrelated = make_signal(other, "education", record="edu-1")
    runner = intake_thread(migrated_db)
    publish(kafka_settings, [first, same_event, corroborating, about_mother, unrelated])
    wait_for(lambda: count(migrated_db, "inbox") == 4, what="4 signals processed")
    publish(kafka_settings, [amended])
    wait_for(lambda: count(migrated_db, "inbox") == 5, what="the amendment")
    assert runner.error is None

    assert count(migrated_db, "cases") == 2
    assert count(migrated_db, "families") == 2
    assert count(migrated_db, "persons") == 3 + 3  # a mother and two children each, never duplicated
    (case_id, number, level, _agencies) = rows(
        migrated_db, "SELECT c.id, c.number, c.priority_level, c.agencies FROM cases c "
        "JOIN signals s ON s.case_id = c.id WHERE s.source_record_id = 'kusp-1'",
    )[0]  # fmt: skip
    assert number.startswith("31-")
    assert level == "urgent"
    assert count(migrated_db, "signals", f"case_id = '{case_id}'") == 3
    version, severity = rows(
        migrated_db, "SELECT version, severity FROM signals WHERE source_record_id = 'kusp-1'"
    )[0]
    assert (version, severity) == (2, "critical")
    # Topics are read in no fixed order between them: whichever came second corroborates the first.
    pairs = rows(
        migrated_db, "SELECT s.source_record_id, c.source_record_id FROM signals s "
        "JOIN signals c ON c.id = s.corroborates_id",
    )  # fmt: skip
    assert len(pairs) == 1
    assert set(pairs[0]) == {"kusp-1", "hosp-1"}
    got = receipts(migrated_db)
    assert got["kusp-1"]["status"] == "amended"
    assert got["hosp-1"]["status"] == "accepted"
    if pairs[0][0] == "hosp-1":
        assert got["hosp-1"]["corroborated"] is True
    assert got["soc-1"]["case_number"] == number
    statuses = [
        r[0] for r in rows(migrated_db, "SELECT payload FROM outbox WHERE contract = 'SignalReceipt'")
    ]
    assert (
        sum(1 for p in statuses if (p if isinstance(p, dict) else json.loads(p))["status"] == "duplicate")
        == 1
    )
    kinds = {r[0] for r in rows(migrated_db, f"SELECT kind FROM case_events WHERE case_id = '{case_id}'")}
    assert {"case_opened", "signal_added", "signal_amended"} <= kinds
    alert_types = {r[0] for r in rows(migrated_db, "SELECT ce_type FROM outbox WHERE contract = 'CaseAlert'")}
    assert {
        "signalhub.alert.case_opened",
        "signalhub.alert.signal_added",
        "signalhub.alert.case_escalated",
    } <= alert_types
    for (payload,) in rows(migrated_db, "SELECT payload FROM outbox"):
        data = payload if isinstance(payload, dict) else json.loads(payload)
        contract = "CaseAlert" if "alert_id" in data else "SignalReceipt"
        assert Codec(contract).decode(Codec(contract).encode(data))  # the relay can encode it as is
        assert fam.surname not in str(data)  # no personal data in receipts or alerts


def test_bad_input_is_dead_lettered_with_a_rejected_receipt(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any]
) -> None:
    fam = make_family(3)
    good = make_signal(fam, "police", record="good-1")
    value, headers = encode(make_signal(fam, "police", record="x"))
    invalid = make_signal(fam, "police", record="bad-content")
    invalid["children"] = [
        {**fam.children[0], "birth_date": invalid["occurred_at"].date().replace(year=2999)}
    ]
    import io

    from fastavro import schemaless_writer  # an Avro body the validator refuses

    body = io.BytesIO()
    codec = Codec("RiskSignal")
    schemaless_writer(body, codec.writer.parsed, {**invalid, "children": invalid["children"]})
    invalid_bytes = b"\xc3\x01" + codec.writer.fingerprint + body.getvalue()
    mismatch = make_signal(fam, "health", record="claims-health")
    mismatch_value, mismatch_headers = encode(mismatch)
    producer = make_producer(kafka_settings)
    police = kafka_settings.signal_topic("police")
    producer.send(police, key=b"k1", value=b"not avro at all", headers=headers).get(30)
    producer.send(police, key=b"k2", value=b"\xc3\x01" + b"\x00" * 8 + value[10:], headers=headers).get(30)
    producer.send(police, key=b"k3", value=invalid_bytes, headers=headers).get(30)
    producer.send(police, key=b"k4", value=mismatch_value, headers=mismatch_headers).get(30)
    producer.close()
    runner = intake_thread(migrated_db)
    publish(kafka_settings, [good])
    wait_for(lambda: count(migrated_db, "inbox") == 1 and count(migrated_db, "outbox", "contract='SignalReceipt'") == 5,
             what="the good signal and 4 rejections")  # fmt: skip
    assert runner.error is None

    consumer = make_consumer(kafka_settings, None, [kafka_settings.dlq_topic], consumer_timeout_ms=5000)
    letters = list(consumer)
    consumer.close()
    assert sorted(r.key for r in letters) == [b"k1", b"k2", b"k3", b"k4"]
    reasons = {}
    for r in letters:
        h = {k: v.decode() for k, v in r.headers}
        assert h["__connect.errors.topic"] == police
        assert {"__connect.errors.partition", "__connect.errors.offset", "__connect.errors.stage",
                "__connect.errors.class.name", "__connect.errors.exception.class.name"} <= h.keys()  # fmt: skip
        assert fam.surname not in h["__connect.errors.exception.message"]
        reasons[r.key] = h["__connect.errors.reason"]
    assert {r.key: r.value for r in letters}[b"k1"] == b"not avro at all"  # the original bytes
    assert reasons == {
        b"k1": "undecodable",
        b"k2": "unknown_schema",
        b"k3": "invalid_content",
        b"k4": "agency_mismatch",
    }
    payloads = [p if isinstance(p, dict) else json.loads(p) for (p,) in rows(
        migrated_db, "SELECT payload FROM outbox WHERE contract = 'SignalReceipt'")]  # fmt: skip
    rejected = [r for r in payloads if r["status"] == "rejected"]
    assert len(rejected) == 4
    assert all(r["agency"] == "police" and r["reason"] for r in rejected)
    assert count(migrated_db, "signals") == 1
    assert runner.metrics.dead_letters.labels("authorise", "agency_mismatch")._value.get() == 1
