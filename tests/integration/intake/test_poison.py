"""No single input stops intake (invariant 7), on the real broker and PostgreSQL: each test is a
finding of issue 13 that stopped intake for every agency, or dead-lettered or receipted wrongly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from schemas.codec import Codec
from signalhub.kafka import make_consumer, make_producer
from signalhub.settings import KafkaSettings
from signalhub.store import migrate
from signalhub.store.base import make_engine
from tests.fixtures.intake import encode, make_family, make_signal, publish, wait_for
from tests.fixtures.proxy import Proxy

pytestmark = pytest.mark.integration


def sql(url: str, statement: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def inbox(url: str) -> int:
    return int(sql(url, "SELECT count(*) FROM inbox")[0][0])


def receipts(url: str) -> list[dict[str, Any]]:
    found = sql(url, "SELECT payload FROM outbox WHERE contract = 'SignalReceipt' ORDER BY id")
    return [p if isinstance(p, dict) else json.loads(p) for (p,) in found]


def letters(kafka: KafkaSettings) -> list[Any]:
    consumer = make_consumer(kafka, None, [kafka.dlq_topic], consumer_timeout_ms=3000)
    try:
        return list(consumer)
    finally:
        consumer.close()


def raw(kafka: KafkaSettings, record: dict[str, Any], key: bytes, **producer: Any) -> None:
    """Publish a record encoded without validation (as a foreign client could), with valid headers."""
    _, headers = encode(make_signal(make_family(90), record["agency"]))
    headers = [(k, record["event_id"].encode() if k == "ce_id" else v) for k, v in headers]
    sender = make_producer(kafka, **producer)
    try:
        sender.send(kafka.signal_topic(record["agency"]), key=key, value=Codec("RiskSignal").encode(record),
                    headers=headers).get(30)  # fmt: skip
    finally:
        sender.close()


def test_compressed_oversized_record_is_dead_lettered_cut_and_intake_goes_on(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 1: a 2 MB description sent gzip-compressed stopped intake (the dead letter was too
    large for its producer); now the letter is cut and described, and later signals go through."""
    migrate.upgrade(fresh_pg_url)
    huge = make_signal(make_family(1), "police", record="huge-1") | {"description": "x" * 2_000_000}
    raw(kafka_settings, huge, b"huge-1", compression_type="gzip", max_request_size=8 * 1024 * 1024)
    runner = intake_thread(fresh_pg_url)
    publish(kafka_settings, [make_signal(make_family(2), "health", record="after-1")])
    wait_for(
        lambda: runner.error is not None or inbox(fresh_pg_url) == 1, 60, "the signal after the huge one"
    )
    assert runner.error is None, repr(runner.error)
    [letter] = letters(kafka_settings)
    headers = dict(letter.headers)
    assert letter.key == b"huge-1"
    assert int(headers["signalhub.original-size"]) > 2_000_000
    assert headers["signalhub.truncated"] == b"value"
    assert headers["__connect.errors.reason"] == b"invalid_content"
    assert len(letter.value) < 1_000_000
    [rejected] = [r for r in receipts(fresh_pg_url) if r["status"] == "rejected"]
    assert rejected["error_field"] == "description"


def test_nul_in_a_name_is_dead_lettered_on_postgresql(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 2: a NUL in a name stopped intake on PostgreSQL (COPY refused it) at every restart."""
    migrate.upgrade(fresh_pg_url)
    fam = make_family(3)
    poisoned = make_signal(fam, "police", record="nul-1")
    poisoned["children"] = [fam.children[0] | {"surname": "Ива\x00нова"}]
    raw(kafka_settings, poisoned, b"nul-1")
    runner = intake_thread(fresh_pg_url)
    publish(kafka_settings, [make_signal(make_family(4), "social", record="after-2")])
    wait_for(lambda: runner.error is not None or inbox(fresh_pg_url) == 1, 60, "the signal after the NUL one")
    assert runner.error is None, repr(runner.error)
    [letter] = letters(kafka_settings)
    assert dict(letter.headers)["__connect.errors.reason"] == b"invalid_content"
    assert dict(letter.headers)["__connect.errors.field"] == b"children[0].surname"
    [rejected] = [r for r in receipts(fresh_pg_url) if r["status"] == "rejected"]
    assert rejected["error_field"] == "children[0].surname"
    assert rejected["source_record_id"] == "nul-1"


def test_a_record_the_database_refuses_is_isolated_and_the_batch_goes_on(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Findings 2 and 9: a value the database refuses for good (here a check violation raised by a
    trigger, an IntegrityError that used to be retried forever) costs only its own record."""
    migrate.upgrade(fresh_pg_url)
    sql(fresh_pg_url, """
        CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
        BEGIN
            IF NEW.source_record_id = 'poison' THEN
                RAISE EXCEPTION 'value Иванова refused' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_poison BEFORE INSERT ON signals FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    """)  # fmt: skip
    batch = [
        make_signal(make_family(10 + i), "police", record=r) for i, r in enumerate(["a", "poison", "b", "c"])
    ]
    publish(kafka_settings, batch, partition=0)
    runner = intake_thread(fresh_pg_url)
    wait_for(lambda: runner.error is not None or len(receipts(fresh_pg_url)) == 4, 60, "four receipts")
    assert runner.error is None, repr(runner.error)
    by_record = {r["source_record_id"]: r for r in receipts(fresh_pg_url)}
    assert {k: v["status"] for k, v in by_record.items()} == {
        "a": "accepted", "poison": "rejected", "b": "accepted", "c": "accepted",
    }  # fmt: skip
    assert by_record["poison"]["reason"].startswith("refused_by_database: ")
    assert "Иванова" not in by_record["poison"]["reason"]  # the database's message may quote values
    [letter] = letters(kafka_settings)
    assert letter.key == b"poison"
    assert dict(letter.headers)["__connect.errors.stage"] == b"store"
    assert runner.metrics.transient_errors.labels("database")._value.get() == 0


def test_a_retried_batch_sends_each_dead_letter_once(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 9: dead letters were sent before the transaction committed, so every retry of a
    batch during a database outage sent them again."""
    migrate.upgrade(fresh_pg_url)
    real = make_url(fresh_pg_url)
    proxy = Proxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.open()
    runner = intake_thread(real.set(port=proxy.port).render_as_string(hide_password=False))
    publish(kafka_settings, [make_signal(make_family(20), "police")])
    wait_for(lambda: inbox(fresh_pg_url) == 1, 60, "the first signal")
    proxy.close()
    sender = make_producer(kafka_settings)
    sender.send(kafka_settings.signal_topic("health"), key=b"junk-1", value=b"not avro").get(30)
    sender.close()
    publish(kafka_settings, [make_signal(make_family(21), "health")])
    wait_for(lambda: runner.metrics.transient_errors.labels("database")._value.get() >= 3, 60, "retries")
    proxy.open()
    wait_for(lambda: inbox(fresh_pg_url) == 2, 60, "the signal after the outage")
    assert runner.error is None, repr(runner.error)
    assert [r.key for r in letters(kafka_settings)] == [b"junk-1"]
    proxy.close()


def test_receipt_of_undecodable_bytes_carries_the_key_and_position(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 7: the rejected receipt of bytes without headers had an empty event id and no key,
    so the sender could not match it; now it names the producer's key, topic, partition, offset."""
    migrate.upgrade(fresh_pg_url)
    sender = make_producer(kafka_settings)
    meta = sender.send(kafka_settings.signal_topic("education"), key=b"edu-77", value=b"\x00garbage").get(30)
    sender.close()
    runner = intake_thread(fresh_pg_url)
    wait_for(lambda: len(receipts(fresh_pg_url)) == 1, 60, "the receipt")
    assert runner.error is None
    [receipt] = receipts(fresh_pg_url)
    assert receipt["status"] == "rejected"
    assert (receipt["source_topic"], receipt["source_partition"], receipt["source_offset"]) == (
        meta.topic, meta.partition, meta.offset,
    )  # fmt: skip
    assert receipt["source_key"] == "edu-77"
    [(key,)] = sql(fresh_pg_url, "SELECT key FROM outbox WHERE contract = 'SignalReceipt'")
    assert key == "edu-77"  # the receipt's Kafka key is the producer's key
    [letter] = letters(kafka_settings)
    assert (letter.key, letter.value) == (b"edu-77", b"\x00garbage")
    assert Codec("SignalReceipt").decode(Codec("SignalReceipt").encode(receipt))["source_key"] == "edu-77"


def test_another_agencys_equal_event_id_is_another_signal(
    kafka_settings: KafkaSettings, migrated_db: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 3: a health signal reusing an event id police used got a `duplicate` receipt and no
    case. Event ids are the agency's own: dedup keys on (agency, event_id)."""
    shared = "7d1e0c3a-5b2f-4c8e-9a61-0f3c2b8d4e55"
    police = make_signal(make_family(30), "police", record="p-1", event_id=shared)
    health = make_signal(make_family(31), "health", record="h-1", event_id=shared)
    again = dict(health)  # the same agency's resend is still a duplicate
    publish(kafka_settings, [police, health, again])
    runner = intake_thread(migrated_db)
    wait_for(lambda: len(receipts(migrated_db)) == 3, 60, "three receipts")
    assert runner.error is None
    statuses = sorted((r["agency"], r["status"]) for r in receipts(migrated_db))
    assert statuses == [("health", "accepted"), ("health", "duplicate"), ("police", "accepted")]
    assert int(sql(migrated_db, "SELECT count(*) FROM cases")[0][0]) == 2
    assert inbox(migrated_db) == 2


def test_cloudevents_headers_contradicting_the_body_are_rejected_absent_ones_counted(
    kafka_settings: KafkaSettings, fresh_pg_url: str, intake_thread: Callable[..., Any]
) -> None:
    """Finding 6: missing headers, a `ce_id` unlike the body's event id, `ce_specversion` 0.3, an
    unparsable `ce_time` and `content-type: application/json` were all accepted."""
    migrate.upgrade(fresh_pg_url)
    changes = {
        "other-id": ("ce_id", b"5e0c1a2b-0000-4000-8000-000000000000"),
        "spec-03": ("ce_specversion", b"0.3"),
        "bad-time": ("ce_time", b"half past nine"),
        "json": ("content-type", b"application/json"),
        "no-headers": None,
    }
    sender = make_producer(kafka_settings)
    for n, (record, change) in enumerate(changes.items()):
        value, headers = encode(make_signal(make_family(40 + n), "police", record=record))
        headers = [] if change is None else [(k, change[1] if k == change[0] else v) for k, v in headers]
        sender.send(
            kafka_settings.signal_topic("police"), key=record.encode(), value=value, headers=headers
        ).get(30)
    sender.close()
    runner = intake_thread(fresh_pg_url)
    wait_for(lambda: len(receipts(fresh_pg_url)) == 5, 60, "five receipts")
    assert runner.error is None
    found = {r["source_record_id"]: (r["status"], r["error_field"]) for r in receipts(fresh_pg_url)}
    assert found == {
        "other-id": ("rejected", "ce_id"),
        "spec-03": ("rejected", "ce_specversion"),
        "bad-time": ("rejected", "ce_time"),
        "json": ("rejected", "content-type"),
        "no-headers": ("accepted", None),
    }
    assert {dict(r.headers)["__connect.errors.reason"] for r in letters(kafka_settings)} == {
        b"invalid_headers"
    }
    assert runner.metrics.cloudevents_missing.labels("police", "ce_id")._value.get() == 1
