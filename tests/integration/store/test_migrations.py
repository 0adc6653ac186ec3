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
