"""Every migration up, down and up again, on the real PostgreSQL and on SQLite (stairway)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from signalhub.store import migrate
from signalhub.store.models import Base


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", migrate.revisions())
def test_stairway_on_postgresql(fresh_pg_url: str, revision: str) -> None:
    revisions = migrate.revisions()
    previous = revisions[revisions.index(revision) - 1] if revisions.index(revision) else "base"
    migrate.upgrade(fresh_pg_url, revision)
    migrate.downgrade(fresh_pg_url, previous)
    migrate.upgrade(fresh_pg_url, revision)


def test_head_matches_the_models_on_both_backends(db_url: str) -> None:
    migrate.upgrade(db_url)
    assert _tables(db_url) == set(Base.metadata.tables)
    migrate.downgrade(db_url, "base")
    assert _tables(db_url) == set()
    migrate.upgrade(db_url)
    assert _tables(db_url) == set(Base.metadata.tables)


def test_no_model_change_lacks_a_migration(fresh_pg_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    migrate.upgrade(fresh_pg_url)
    engine = create_engine(fresh_pg_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_0004_gives_each_case_fact_one_event_name(fresh_pg_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    migrate.upgrade(fresh_pg_url, "0003")
    t = Base.metadata.tables
    now = datetime(2026, 11, 1, tzinfo=UTC)
    case = {"number": "54-2026-000001", "region_code": "54", "municipality_code": "50701000",
            "status": "new", "priority_level": "normal", "priority_score": 0, "priority_rules": [],
            "agencies": [], "opened_at": now, "updated_at": now}  # fmt: skip
    old = [
        ("case_merged", "intake", {"into": "c2", "cause": "signal"}),
        ("case_merged", "intake", {"absorbed": "c3", "cause": "signal"}),
        ("reopened", "user-1", {"reason": "новый сигнал"}),
        ("case_reopened", "intake", {"signal_id": "s1"}),
        ("merged_into", "user-1", {"case_id": "c4", "number": "54-2026-000004"}),
    ]
    engine = create_engine(fresh_pg_url)
    with engine.begin() as conn:
        conn.execute(insert(t["families"]).values(id="f1", created_at=now))
        conn.execute(insert(t["cases"]).values(id="c1", family_id="f1", **case))
        for kind, actor, data in old:
            conn.execute(
                insert(t["case_events"]).values(case_id="c1", at=now, kind=kind, actor=actor, data=data)
            )
    migrate.upgrade(fresh_pg_url, "0004")
    events = t["case_events"]
    query = select(events.c.kind, events.c.data).order_by(events.c.id)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == [
            ("merged_into", {"case_id": "c2", "cause": "signal"}),
            ("merged_from", {"case_id": "c3", "cause": "signal"}),
            ("case_reopened", {"reason": "новый сигнал"}),
            ("case_reopened", {"signal_id": "s1"}),
            ("merged_into", {"case_id": "c4", "number": "54-2026-000004"}),
        ]
    migrate.downgrade(fresh_pg_url, "0003")
    with engine.connect() as conn:
        assert [r.kind for r in conn.execute(query)] == [
            "case_merged", "case_merged", "reopened", "case_reopened", "merged_into",
        ]  # fmt: skip
    engine.dispose()


def test_0005_keeps_delivered_alerts_times_in_epoch_ms(fresh_pg_url: str) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    migrate.upgrade(fresh_pg_url, "0004")
    deliveries = Base.metadata.tables["deliveries"]
    now = datetime(2026, 11, 1, tzinfo=UTC)
    alert = {
        "alert_id": "a1",
        "created_at": "2026-03-02T09:00:00.123Z",
        "ack_deadline": None,
        "priority": "high",
    }
    engine = create_engine(fresh_pg_url)
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(alert_id="a1", case_id="c1", channel="w", alert=alert,
                                               status="pending", attempts=0, created_at=now))  # fmt: skip
    migrate.upgrade(fresh_pg_url, "0005")
    with engine.connect() as conn:
        stored = conn.execute(select(deliveries.c.alert)).scalar_one()
    assert stored == alert | {"created_at": 1772442000123}
    migrate.downgrade(fresh_pg_url, "0004")
    with engine.connect() as conn:
        assert conn.execute(select(deliveries.c.alert)).scalar_one() == alert
    engine.dispose()


def test_event_ids_become_per_agency_keeping_existing_rows(db_url: str) -> None:
    """0006: inbox rows written under the global key stay; another agency may then reuse the id."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    row = "(:agency, 'e-1', 'accepted', 't', 0, 1, :at)"
    insert = f'INSERT INTO inbox (agency, event_id, outcome, topic, partition, "offset", processed_at) VALUES {row}'
    migrate.upgrade(db_url, "0005")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(insert), {"agency": "police", "at": datetime.now(UTC)})
        migrate.upgrade(db_url, "0006")
        with engine.begin() as conn:
            conn.execute(text(insert), {"agency": "health", "at": datetime.now(UTC)})
            found = conn.execute(
                text("SELECT agency FROM inbox WHERE event_id = 'e-1' ORDER BY agency")
            ).all()
        assert [r.agency for r in found] == ["health", "police"]
    finally:
        engine.dispose()
