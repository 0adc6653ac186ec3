"""The notifier's claim does work in proportion to the cases waiting, whatever the statistics.

A new hub's `deliveries` has no statistics until autovacuum first analyses it (up to a minute
after it fills), and a queue analysed while nearly empty keeps estimates of one row. With those
estimates PostgreSQL planned "no earlier pending row of the case" as a nested loop over every
pending row of the channel for each candidate: quadratic in the backlog (400 pending rows: 41 140
rows compared). The claim now walks the heads of the cases' queues (a few index probes each, every
waiting case once). Counted from EXPLAIN ANALYZE (rows each node produced or dropped), not timed.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from consumers.notifier import deliveries
from signalhub.store.base import make_engine

pytestmark = pytest.mark.integration

PENDING = 400
LIMIT = 100


def _rows_touched(node: dict[str, Any]) -> float:
    """Rows every node of a plan produced or filtered away, over all its loops."""
    own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
           + node.get("Rows Removed by Join Filter", 0)) * node.get("Actual Loops", 1)  # fmt: skip
    return own + sum(_rows_touched(child) for child in node.get("Plans", []))


@pytest.mark.parametrize("statistics", ["none", "of an empty table"])
def test_a_claim_on_a_table_without_fitting_statistics_reads_each_row_about_once(
    alerts_pg_url: str, statistics: str
) -> None:
    engine = make_engine(alerts_pg_url)
    now = datetime.now(UTC)
    claims: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if "UPDATE deliveries SET next_attempt_at" in statement:
            claims.append((statement, params))

    try:
        if statistics != "none":
            with engine.connect() as conn:
                conn.execute(text("ANALYZE deliveries"))
                conn.commit()
        # Two cases of three share a case with other rows: some rows wait for an earlier one.
        routed = [
            ({"alert_id": f"a{n}", "case_id": f"c{n // 6}" if n % 3 == 0 else str(uuid.uuid4())}, ["hook"])
            for n in range(PENDING)
        ]
        with Session(engine) as session, session.begin():
            deliveries.record(session, routed, now)
        with Session(engine) as session, session.begin():
            claimed = deliveries.claim(
                session, "hook", now + timedelta(seconds=1), LIMIT, timedelta(seconds=10)
            )
            session.rollback()
        statement, params = claims[-1]
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            with raw.cursor() as cur:
                cur.execute(b"EXPLAIN (ANALYZE, FORMAT JSON) " + statement.encode(), params)
                row = cur.fetchone()
                assert row is not None
                plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
            raw.rollback()
    finally:
        engine.dispose()
    assert len(claimed) == LIMIT
    # Linear: per waiting case a step of the walk, a probe for its earliest row and a look at
    # that row, the claimed rows locked and updated (about 12 per case); the quadratic plan
    # touched over 400 per claimed row (41 140 in all).
    cases = len({alert["case_id"] for alert, _ in routed})
    assert _rows_touched(plan[0]["Plan"]) < 16 * cases
