"""The bulk insert that ignores conflicts (intake's outbox, the notifier's deliveries): rows land in
the order given, a key already stored, repeated within the rows or already done (`unless_in`) is
written once, on both backends; on PostgreSQL the done rows are probed by their unique index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, func, select, text

from signalhub.store import migrate
from signalhub.store.base import make_engine
from signalhub.store.bulk import _insert_statement, insert_ignore, insert_rows
from signalhub.store.messaging import Delivery, DeliveryDone, OutboxMessage, OutboxSent

OUTBOX = cast(Table, OutboxMessage.__table__)
SENT = cast(Table, OutboxSent.__table__)
DELIVERIES, DONE = cast(Table, Delivery.__table__), cast(Table, DeliveryDone.__table__)
AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _row(message_id: str, n: int) -> dict[str, Any]:
    return {"message_id": message_id, "contract": "SignalReceipt", "topic": "receipts.police", "key": "k",
            "ce_type": "signalhub.receipt.rejected", "payload": {"n": n, "text": "ё\ttab\nline"},
            "created_at": datetime(2026, 11, 23, 12, 0, tzinfo=UTC)}  # fmt: skip


def test_insert_ignore_keeps_order_and_writes_each_message_once(db_url: str) -> None:
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            insert_ignore(conn, OUTBOX, [_row("b", 1), _row("a", 2)], ["message_id"])
        with engine.begin() as conn:  # a redelivered batch: "a" again, "c" new, "c" twice
            insert_ignore(
                conn, OUTBOX, [_row("c", 3), _row("a", 4), _row("c", 5), _row("d", 6)], ["message_id"]
            )
        with engine.begin() as conn:  # a later batch
            insert_ignore(conn, OUTBOX, [_row("e", 7)], ["message_id"])
        with engine.connect() as conn:
            rows = conn.execute(select(OUTBOX.c.message_id, OUTBOX.c.payload).order_by(OUTBOX.c.id)).all()
    finally:
        engine.dispose()
    assert [(m, p["n"]) for m, p in rows] == [("b", 1), ("a", 2), ("c", 3), ("d", 6), ("e", 7)]
    assert rows[0][1]["text"] == "ё\ttab\nline"


def test_copy_writes_json_values_that_read_back_equal(db_url: str) -> None:
    """`insert_rows` (COPY on PostgreSQL) with the hub's JSON encoder: Cyrillic, tabs and newlines,
    nesting, null, and a non-string key (written as a string, as `json.dumps` does)."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    payloads = [{"n": 1, "text": "ё\ttab\nline\\", "nested": [{"a": None}, 1.5, True]}, {"n": 2, 7: "seven"}]
    try:
        with engine.begin() as conn:
            insert_rows(conn, OUTBOX, [_row(f"m{i}", 0) | {"payload": p} for i, p in enumerate(payloads)])
        with engine.connect() as conn:
            stored = conn.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id)).scalars().all()
    finally:
        engine.dispose()
    assert stored == [payloads[0], {"n": 2, "7": "seven"}]


_COUNT_STATEMENTS = """
CREATE TABLE statements_seen (n integer NOT NULL);
INSERT INTO statements_seen VALUES (0);
CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN UPDATE statements_seen SET n = n + 1; RETURN NULL; END $$;
CREATE TRIGGER count_statements AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION count_statement();
"""


@pytest.mark.integration
def test_insert_ignore_on_postgresql_is_one_statement_whatever_the_rows(fresh_pg_url: str) -> None:
    """Intake's outbox and the notifier's deliveries: an executemany ran an INSERT per row (12 000
    statements for 6 000 signals in the alert benchmark). Counted by a statement-level trigger."""
    migrate.upgrade(fresh_pg_url)
    engine = make_engine(fresh_pg_url)
    try:
        with engine.begin() as conn:
            conn.connection.driver_connection.execute(_COUNT_STATEMENTS)  # type: ignore[union-attr]
        with engine.begin() as conn:
            insert_ignore(conn, OUTBOX, [_row(f"m{n}", n) for n in range(200)], ["message_id"])
        with engine.connect() as conn:
            statements = conn.execute(text("SELECT n FROM statements_seen")).scalar_one()
            stored = conn.execute(select(func.count()).select_from(OUTBOX)).scalar_one()
    finally:
        engine.dispose()
    assert (statements, stored) == (1, 200)


def _delivery(alert_id: str, channel: str) -> dict[str, Any]:
    return {"alert_id": alert_id, "case_id": "c1", "channel": channel, "alert": {"alert_id": alert_id},
            "status": "pending", "attempts": 0, "next_attempt_at": AT, "created_at": AT}  # fmt: skip


def test_insert_ignore_leaves_out_keys_already_done_on_two_columns(db_url: str) -> None:
    """The notifier's deliveries: an alert already delivered to a channel is not recorded again
    for it, though it is for another channel."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    done = {"id": 1, "alert_id": "a1", "case_id": "c1", "channel": "webhook", "attempts": 1,
            "created_at": AT, "delivered_at": AT}  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(DONE.insert(), [done])
        with engine.begin() as conn:
            rows = [_delivery("a1", "webhook"), _delivery("a1", "email"), _delivery("a2", "webhook")]
            insert_ignore(conn, DELIVERIES, rows, ["alert_id", "channel"], unless_in=DONE)
        with engine.connect() as conn:
            stored = conn.execute(
                select(DELIVERIES.c.alert_id, DELIVERIES.c.channel).order_by(DELIVERIES.c.id)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in stored] == [("a1", "email"), ("a2", "webhook")]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("table", "row", "key", "done", "fifth"),
    [
        (OUTBOX, _row("m1", 0), ("message_id",), SENT, "'k'"),  # the key of a sent message
        (DELIVERIES, _delivery("m1", "webhook"), ("alert_id", "channel"), DONE, "1"),  # attempts
    ],
)
def test_insert_ignore_probes_the_done_rows_by_their_index_not_a_scan(
    fresh_pg_url: str, table: Table, row: dict[str, Any], key: tuple[str, ...], done: Table, fifth: str
) -> None:
    """The done tables grow for as long as the hub runs. Planned as an anti join, the NOT EXISTS
    hashed all of them for each batch (a seq scan, analyzed or not, for the 100 rows PostgreSQL
    assumes a JSON document holds): 1.6 ms a batch over 12 000 sent messages, and growing."""
    migrate.upgrade(fresh_pg_url)
    engine = make_engine(fresh_pg_url)
    columns = ", ".join(c.name for c in done.columns)
    statement = _insert_statement(table, tuple(row), key, done.name)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO {done.name} ({columns}) SELECT g, 'm' || g, 'c', 'webhook', {fifth},"
                " now(), now() FROM generate_series(1, 20000) g"
            )
            plans = []
            for analyzed in (False, True):
                if analyzed:
                    conn.exec_driver_sql(f"ANALYZE {done.name}")
                plans.append("\n".join(conn.exec_driver_sql(f"EXPLAIN {statement}", ("[]",)).scalars()))
    finally:
        engine.dispose()
    for plan in plans:
        assert f"Seq Scan on {done.name}" not in plan, plan
        assert f"Index Only Scan using uq_{done.name}_" in plan, plan
