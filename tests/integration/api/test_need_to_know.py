"""Need-to-know inside a readable case (PostgreSQL): liaisons see others' signals only as agency,
type and date; health's descriptions reach only the coordinator and the case's curator; refused
attempts on a case are in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from signalhub.store.models import Case
from tests.fixtures.api import MUNI_A, MUNI_B, PASSWORD, Seed, bearer

pytestmark = pytest.mark.integration
DESCRIPTION = "Вызов наряда, ребёнок дома"  # every seeded signal's description


def _signals(client: TestClient, case_id: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert r.status_code == 200, r.text
    return {e["agency"]: e["data"] for e in r.json()["timeline"] if e["kind"] == "signal"}


@pytest.fixture
def case_id(seed: Seed) -> str:
    for name, role, extra in (
        ("coord", "coordinator", {}),
        ("cur_a", "curator", {"municipality": MUNI_A}),
        ("cur_b", "curator", {"municipality": MUNI_B}),
        ("police", "liaison", {"agency": "police"}),
        ("health", "liaison", {"agency": "health"}),
    ):
        seed.user(name, role, **extra)
    return seed.case(municipality=MUNI_A, agencies=("police", "health"))


def test_liaison_sees_own_signals_in_full_and_others_as_agency_type_and_date(
    make_client: Callable[..., TestClient], case_id: str
) -> None:
    client = make_client()
    seen = _signals(client, case_id, bearer(client, "police"))
    assert seen["police"]["description"] == DESCRIPTION
    assert seen["police"]["severity"] == "high"
    assert seen["health"] == {"signal_id": seen["health"]["signal_id"], "withheld": "details"}
    web = make_client()
    web.post("/ui/login", data={"username": "police", "password": PASSWORD})
    page = web.get(f"/ui/cases/{case_id}").text
    assert page.count(DESCRIPTION) == 1
    assert "подробности — у ведомства-отправителя" in page
    own = _signals(client, case_id, bearer(client, "health"))
    assert own["health"]["description"] == DESCRIPTION
    assert "description" not in own["police"]


def test_health_descriptions_reach_only_the_coordinator_and_the_case_curator(
    make_client: Callable[..., TestClient], case_id: str, seed: Seed
) -> None:
    client = make_client()
    curator = _signals(client, case_id, bearer(client, "cur_a"))  # the municipality's, not the case's
    assert curator["police"]["description"] == DESCRIPTION
    assert curator["health"]["description"] is None
    assert curator["health"]["withheld"] == "description"
    assert _signals(client, case_id, bearer(client, "coord"))["health"]["description"] == DESCRIPTION
    cur_b = seed.user("cur_c", "curator", municipality=MUNI_B)
    with seed.session() as s:
        s.execute(update(Case).where(Case.id == case_id).values(curator_id=cur_b))
        s.commit()
    assert _signals(client, case_id, bearer(client, "cur_c"))["health"]["description"] == DESCRIPTION
    web = make_client()
    web.post("/ui/login", data={"username": "cur_a", "password": PASSWORD})
    page = web.get(f"/ui/cases/{case_id}").text
    assert page.count(DESCRIPTION) == 1
    assert "врачебная тайна" in page


def test_refused_attempts_on_a_case_are_audited(make_client: Callable[..., TestClient], case_id: str) -> None:
    client = make_client()
    outsider = bearer(client, "cur_b")
    assert client.get(f"/api/v1/cases/{case_id}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/cases/{case_id}/acknowledge", headers=outsider).status_code == 404
    liaison = bearer(client, "police")
    assert client.post(f"/api/v1/cases/{case_id}/acknowledge", headers=liaison).status_code == 403
    web = make_client()
    web.post("/ui/login", data={"username": "cur_b", "password": PASSWORD})
    assert web.get(f"/ui/cases/{case_id}").status_code == 404
    log = client.get("/api/v1/audit", params={"case_id": case_id}, headers=bearer(client, "coord")).json()
    denied = [(e["username"], e["detail"]["wanted"]) for e in log if e["action"] == "case.denied"]
    assert sorted(denied) == [("cur_b", "read")] * 3 + [("police", "act")]
    assert all(DESCRIPTION not in str(e) for e in log)
