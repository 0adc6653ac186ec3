"""The bulk insert that ignores conflicts (intake's outbox): rows land in the order given, a
message id already stored or repeated within the rows is written once, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, func, select, text

from signalhub.store import migrate
from signalhub.store.base import make_engine
from signalhub.store.bulk import insert_ignore, insert_rows
from signalhub.store.messaging import OutboxMessage

OUTBOX = cast(Table, OutboxMessage.__table__)


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
