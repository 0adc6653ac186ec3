"""Intake's reads by (agency, key) find their rows through the (agency, key) index, whatever the
size of the table: the inbox by (agency, event_id), stored signals by (agency, source_record_id),
each in one statement whatever the agencies asked.

Reading by the key alone (`event_id IN (...)`) cannot use an index that the agency leads: every
batch scanned the whole table (5 s per batch at 500 000 inbox rows), slower each month.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection

from signalhub.store.base import make_engine
from signalhub.store.intake_reads import inbox_positions, signals_by_record
from tests.integration.store.wire import traced

pytestmark = pytest.mark.integration

AGENCIES = ("police", "health", "education", "guardianship", "social")
ROWS = 20_000

_FILL = """
INSERT INTO inbox (agency, event_id, outcome, topic, partition, "offset", processed_at)
SELECT (ARRAY{agencies})[1 + i %% 5], 'ev-' || (i / 5), 'accepted', 'signals', 0, i, now()
FROM generate_series(0, {last}) AS i;
INSERT INTO families (id, created_at) VALUES ('f', now());
INSERT INTO signals (id, event_id, agency, source_system, source_record_id, signal_type, severity,
                     occurred_at, reported_at, received_at, region_code, municipality_code, payload,
                     version, family_id)
SELECT 's-' || i, 'ev-' || (i / 5), (ARRAY{agencies})[1 + i %% 5], 'sys', 'rec-' || (i / 5),
       'domestic_violence', 'high', now(), now(), now(), '54', '54701000001', '{{}}', 1, 'f'
FROM generate_series(0, {last}) AS i;
ANALYZE inbox; ANALYZE signals;
"""


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _pairs_read(traced_sql: str, pairs: set[tuple[str, str]]) -> tuple[str, Any]:
    """A traced read by (agency, key) pairs (placeholders `$1`, `$2`), with the pairs as its two
    arrays."""
    ordered = sorted(pairs)
    return traced_sql.replace("$1", "%(a)s").replace("$2", "%(k)s"), {
        "a": [a for a, _ in ordered],
        "k": [k for _, k in ordered],
    }


def _plans(conn: Connection, statements: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for statement, parameters in statements:
        (raw,) = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).one()
        out.append((raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"])
    return out


def test_inbox_and_stored_signals_are_read_by_their_agency_keyed_index(alerts_pg_url: str) -> None:
    engine = make_engine(alerts_pg_url)
    agencies = "[" + ", ".join(f"'{a}'" for a in AGENCIES) + "]"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(_FILL.format(agencies=agencies, last=ROWS - 1))
        # the same event id and record id at two agencies: only the one asked for is found
        events = {("police", "ev-10"), ("health", "ev-11"), ("social", "ev-12"), ("police", "none")}
        records = {("police", "rec-10"), ("health", "rec-11"), ("social", "rec-12"), ("health", "none")}
        with traced(engine) as wire, engine.connect() as conn:
            positions = inbox_positions(conn, events)
            stored = signals_by_record(conn, records)
        reads = [s for s in wire.statements if s.startswith("SELECT")]
        with engine.connect() as conn:
            plans = _plans(conn, [_pairs_read(reads[0], events), _pairs_read(reads[1], records)])
    finally:
        engine.dispose()
    assert set(positions) == events - {("police", "none")}
    assert set(stored) == records - {("health", "none")}
    assert {s.agency for s in stored.values()} == {"police", "health", "social"}
    for plan in plans:
        kinds = [node["Node Type"] for node in _nodes(plan)]
        assert "Seq Scan" not in kinds, kinds
        assert sum(node.get("Rows Removed by Filter", 0) for node in _nodes(plan)) == 0
    assert len(reads) == 2  # one statement of each read, whatever the agencies asked
