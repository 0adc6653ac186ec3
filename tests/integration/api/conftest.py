"""Fixtures of the API tests that run on SQLite and PostgreSQL alike (`db_url` is parametrised).

- `clock`: one settable clock for every app of a test.
- `db_seed`: like `seed`, on either backend (`seed` is PostgreSQL only), migrated to head.
- `make`: builds apps over `db_seed`'s database with `clock`; each `make()` is its own app (own
  engine and pool), like one API process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from signalhub.store import migrate
from tests.fixtures.api import Clock, Seed, client_factory


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def db_seed(db_url: str) -> Iterator[Seed]:
    migrate.upgrade(db_url)
    s = Seed(db_url)
    yield s
    s.engine.dispose()


@pytest.fixture
def make(db_seed: Seed, clock: Clock) -> Iterator[Callable[..., TestClient]]:
    factory, clients = client_factory(db_seed.url, [], clock)
    yield factory
    for c in clients:
        c.__exit__(None, None, None)
