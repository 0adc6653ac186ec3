"""The notifier's claim on PostgreSQL reads the rows it claims, not the queues behind them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from consumers.notifier import deliveries
from consumers.notifier.app import utcnow
from signalhub.store.base import make_engine, make_sessionmaker
from tests.integration.alerts.helpers import case_alert

pytestmark = pytest.mark.integration

CASES, QUEUE = 100, 60  # cases behind, alerts each


def test_a_prepared_claims_generic_plan_does_not_read_the_queues_behind_it(alerts_pg_url: str) -> None:
    """Soak, minute ~58: psycopg prepares the claim, PostgreSQL settles on a generic plan, and with
    the status as a parameter that plan could use no index on pending rows: the hook worker's
    claim ran for minutes over 13 000 pending rows. With the status in the statement it reads an
    index entry per claimed row."""
    cases = [str(uuid.uuid4()) for _ in range(CASES)]
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    with sessions() as session, session.begin():  # round by round: the heads are the first rows
        for seq in range(QUEUE):
            deliveries.record(session, [(case_alert(c, seq), ["hook", "mail"]) for c in cases], now)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE deliveries"))
        conn.commit()
    with sessions() as session, session.begin():
        session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))  # as when prepared
        claimed = deliveries.claim(session, "hook", now, CASES, timedelta(seconds=10))
        read = session.execute(text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
            " WHERE relname = 'deliveries'"
        )).scalar_one()  # fmt: skip
    engine.dispose()
    assert sorted(row.case_id for row in claimed) == sorted(cases)
    assert read <= 4 * CASES, f"the claim read {read} rows for {CASES} claimed"
