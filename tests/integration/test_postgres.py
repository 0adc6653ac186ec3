"""The database fixtures work against a real PostgreSQL (and SQLite, through `db_url`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

pytestmark = pytest.mark.integration


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def roundtrip(url: str) -> list[tuple[int, str]]:
    with engine_for(url) as engine:
        with engine.begin() as conn:
            conn.execute(
                sa.text("CREATE TABLE family (id INTEGER PRIMARY KEY, surname VARCHAR(100) NOT NULL)")
            )
            conn.execute(
                sa.text("INSERT INTO family (id, surname) VALUES (:id, :surname)"),
                [{"id": 1, "surname": "Иванова"}, {"id": 2, "surname": "Петров"}],
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, surname FROM family ORDER BY id")).all()
    return [(row.id, row.surname) for row in rows]


def table_names(url: str) -> set[str]:
    with engine_for(url) as engine:
        return set(sa.inspect(engine).get_table_names())


def test_postgres_url_is_the_private_cluster(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    with engine_for(postgres_url) as engine, engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
        user, database = conn.execute(sa.text("SELECT current_user, current_database()")).one()
        encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
    assert int(version) >= 150000
    assert (user, database) == ("signalhub", "signalhub")
    assert encoding == "UTF8"


def test_fresh_database_roundtrip(fresh_pg_url: str) -> None:
    assert make_url(fresh_pg_url).database != "signalhub"
    assert roundtrip(fresh_pg_url) == [(1, "Иванова"), (2, "Петров")]


def test_fresh_databases_are_isolated(make_pg_database: Callable[[], str]) -> None:
    first, second = make_pg_database(), make_pg_database()
    assert first != second
    roundtrip(first)
    assert "family" in table_names(first)
    assert table_names(second) == set()


# Connections that outlive their test on purpose (see below); closed by the server when the drop forces them.
_LEFT_OPEN: list[Connection] = []


def test_an_open_connection_does_not_block_the_drop(fresh_pg_url: str) -> None:
    # The fixture ends its own role's sessions and drops the database, as its non-superuser owner: a connection still open at
    # teardown (here on purpose, in real suites an engine nobody disposed) must not make teardown fail.
    engine = sa.create_engine(fresh_pg_url)
    conn = engine.connect()
    _LEFT_OPEN.append(conn)
    assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_db_url_runs_on_both_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    assert make_url(db_url).get_backend_name() == backend
    assert roundtrip(db_url) == [(1, "Иванова"), (2, "Петров")]
