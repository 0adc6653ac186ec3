"""Reads by a list of ids that a growing table answers are never prepared statements on PostgreSQL.

psycopg prepares a statement after its fifth execution, and PostgreSQL then keeps a generic plan
made with the statistics of that moment. Made while the tables were empty (a new hub, every
benchmark run), that plan scans the whole table comparing each row with each id (EXPLAIN ANALYZE:
78 ms for 160 ids over 12 000 sent messages instead of about 1 ms) until autovacuum's next ANALYZE. The one prepared read is the candidate blocks': its plan is an
index probe per key whatever the statistics, and planning it for every batch cost more than a
small batch's probes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

import pytest
from sqlalchemy import Connection, Table, insert
from sqlalchemy.orm import Session

from consumers.notifier import deliveries
from signalhub.store.base import make_engine
from signalhub.store.outbox import known
from signalhub.store.registry import Person, PersonKey
from signalhub.store.registry_reads import _BLOCKS, persons_by_keys

pytestmark = pytest.mark.integration


def _prepared(conn: Connection) -> list[str]:
    return [str(s) for s in conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars()]


def test_known_message_ids_persons_by_id_and_delivered_alerts_are_planned_with_their_ids(
    alerts_pg_url: str,
) -> None:
    engine = make_engine(alerts_pg_url)
    person = {"id": "p1", "family_id": None, "surname": "Иванова", "first_name": "Анна",
              "patronymic": None, "birth_date": date(2020, 1, 1), "sex": "F", "snils": None,
              "birth_cert": None, "address": None, "created_at": datetime(2026, 1, 1, tzinfo=UTC),
              "anonymised_at": None}  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(insert(cast(Table, Person.__table__)), [person])
            conn.execute(insert(cast(Table, PersonKey.__table__)), [{"key": "sd:a", "person_id": "p1"}])
        with engine.connect() as conn:
            for n in range(12):  # past psycopg's threshold (5) and PostgreSQL's custom plans (5)
                assert known(conn, [f"m{n}", f"m{n + 1}"]) == set()
                assert list(persons_by_keys(conn, {"sd:a"}, 10)[1]) == ["p1"]
                with Session(bind=conn) as session, session.begin():
                    alerts = [{"alert_id": f"a{n}-{k}", "case_id": "c1"} for k in range(2)]
                    deliveries.record(session, [(a, ["webhook"]) for a in alerts], datetime.now(UTC))
            prepared = _prepared(conn)
            recorded = conn.exec_driver_sql("SELECT count(*) FROM deliveries").scalar_one()
    finally:
        engine.dispose()
    assert recorded == 24
    assert [s for s in prepared if "outbox_sent" in s or "FROM persons" in s or "deliveries_done" in s] == []


def test_the_blocks_read_is_prepared_and_its_generic_plan_made_on_empty_tables_probes_the_index(
    alerts_pg_url: str,
) -> None:
    engine = make_engine(alerts_pg_url)
    try:
        with engine.connect() as conn:
            assert persons_by_keys(conn, {"sd:a", "snils:1"}, 10, ("snils:",)) == ({}, {})
            prepared = _prepared(conn)
            conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            numbered = _BLOCKS.replace("%s", "$1", 1).replace("%s", "$2", 1).replace("%s", "$3", 1)
            conn.exec_driver_sql(
                f"PREPARE blocks(text, bigint, text, bigint) AS {numbered.replace('%s', '$4')}"
            )
            plan = "\n".join(conn.exec_driver_sql("EXPLAIN EXECUTE blocks('a', 11, 'b', NULL)").scalars())
    finally:
        engine.dispose()
    assert [s for s in prepared if "person_keys" in s]  # prepared at its first run
    assert plan.count("Index Only Scan using pk_person_keys") == 2
    assert "Seq Scan" not in plan
