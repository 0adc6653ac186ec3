"""Candidate persons by blocking key, on both backends: each block's ids in id order, a block over
the limit dropped (and a person reached only through it not read) unless its key is exempt."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert

from signalhub.store import migrate
from signalhub.store.base import make_engine
from signalhub.store.intake_rows import PersonRow
from signalhub.store.registry import Person, PersonKey
from signalhub.store.registry_reads import persons_by_keys

PERSONS, KEYS = cast(Table, Person.__table__), cast(Table, PersonKey.__table__)


def _person(n: int) -> dict[str, Any]:
    return {"id": f"p{n}", "family_id": None, "surname": "Иванова", "first_name": f"Анна{n}",
            "patronymic": None, "birth_date": date(2020, 1, n + 1), "sex": "F", "snils": None,
            "birth_cert": None, "address": None, "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "anonymised_at": None}  # fmt: skip


def test_blocks_in_id_order_and_oversized_blocks_dropped_unless_exempt(db_url: str) -> None:
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    keys = [("sd:small", "p3"), ("sd:small", "p1"),  # a block of two, stored out of order
            ("sd:big", "p0"), ("sd:big", "p1"), ("sd:big", "p2"), ("sd:big", "p4"),  # over the limit of 2
            ("snils:1", "p2"), ("snils:1", "p3"), ("snils:1", "p4"),  # over it too, but exempt
            ("sd:other", "p5")]  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(insert(PERSONS), [_person(n) for n in range(6)])
            conn.execute(insert(KEYS), [{"key": k, "person_id": p} for k, p in keys])
        with engine.connect() as conn:
            index, persons = persons_by_keys(
                conn, {"sd:small", "sd:big", "snils:1", "sd:none"}, 2, ("snils:",)
            )
    finally:
        engine.dispose()
    assert index == {"sd:small": ["p1", "p3"], "snils:1": ["p2", "p3", "p4"]}
    # p5 is under no key asked for, p0 only under the dropped block: neither is a candidate
    assert sorted(persons) == ["p1", "p2", "p3", "p4"]
    assert persons["p3"] == PersonRow(
        "p3", None, "Иванова", "Анна3", None, date(2020, 1, 4), "F", None, None, None
    )
