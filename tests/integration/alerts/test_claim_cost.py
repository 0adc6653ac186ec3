"""The notifier's claim on PostgreSQL reads the heads of the cases' queues, not the queues behind
them: rows read grow with the number of cases waiting, not with the alerts waiting behind them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text, update

from consumers.notifier import deliveries
from consumers.notifier.app import utcnow
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.messaging import Delivery
from tests.integration.alerts.helpers import case_alert

pytestmark = pytest.mark.integration

CASES, QUEUE = 100, 60  # cases behind, alerts each
_READ = text(
    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)"
    " FROM pg_stat_xact_user_tables WHERE relname = 'deliveries'"
)


@pytest.mark.parametrize("plan", ["force_custom_plan", "force_generic_plan"])
@pytest.mark.parametrize("heads", ["due", "waiting for a retry"])
def test_a_claim_reads_the_heads_of_the_queues_not_the_rows_behind_them(
    alerts_pg_url: str, plan: str, heads: str
) -> None:
    """100 cases with 60 alerts waiting each. The old claim scanned the channel's pending rows in
    order and dropped those with an earlier row of their case: with statistics PostgreSQL planned
    it as a scan of them all (12 100 rows read to claim 100), and when the heads wait for a retry
    any plan stepped over every row behind them on every pass. Soak, minute ~58: psycopg prepares
    the claim and PostgreSQL settles on a generic plan (`force_generic_plan` here), which must use
    the index on pending rows too (the status is in the statement, not a parameter)."""
    cases = [str(uuid.uuid4()) for _ in range(CASES)]
    engine = make_engine(alerts_pg_url)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    with sessions() as session, session.begin():  # round by round: the heads are the first rows
        for seq in range(QUEUE):
            deliveries.record(session, [(case_alert(c, seq), ["hook", "mail"]) for c in cases], now)
        if heads != "due":
            first = sorted(session.scalars(text("SELECT min(id) FROM deliveries GROUP BY case_id, channel")))
            session.execute(
                update(Delivery)
                .where(Delivery.id.in_(first))
                .values(next_attempt_at=now + timedelta(minutes=1))
            )
    with engine.connect() as conn:
        conn.execute(text("ANALYZE deliveries"))
        conn.commit()
    with sessions() as session, session.begin():
        session.execute(text(f"SET LOCAL plan_cache_mode = {plan}"))
        # Counted before and after: the view also holds counts of this connection's earlier
        # transactions that the server has yet to flush (PostgreSQL 15 and later).
        before = session.execute(_READ).scalar_one()
        claimed = deliveries.claim(session, "hook", now, CASES, timedelta(seconds=10))
        read = session.execute(_READ).scalar_one() - before
    engine.dispose()
    assert sorted(row.case_id for row in claimed) == (sorted(cases) if heads == "due" else [])
    assert read <= 4 * CASES, f"the claim read {read} rows for {CASES} cases"
