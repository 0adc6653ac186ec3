"""Every role sees exactly its scope (PostgreSQL): curators their municipality and assigned cases,
liaisons their agency's cases read-only, operators no case and no personal data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.api import MUNI_A, MUNI_B, Seed, bearer

pytestmark = pytest.mark.integration
PERSONAL = ("Смирнова", "Алиса", "Ольга", "Петровна", "2023-05-04", "1995-02-11", "Ленина")


@pytest.fixture
def world(seed: Seed) -> dict[str, str]:
    ids = {
        "coord": seed.user("coord", "coordinator"),
        "cur_a": seed.user("cur_a", "curator", municipality=MUNI_A),
        "cur_b": seed.user("cur_b", "curator", municipality=MUNI_B),
        "police": seed.user("police", "liaison", agency="police"),
        "health": seed.user("health", "liaison", agency="health"),
        "oper": seed.user("oper", "operator"),
    }
    ids["case_a"] = seed.case(municipality=MUNI_A, agencies=("police",))
    ids["case_b"] = seed.case(municipality=MUNI_B, agencies=("health", "education"))
    return ids


def test_curator_cannot_read_another_municipality_case(
    make_client: Callable[..., TestClient], world: dict[str, str]
) -> None:
    client = make_client()
    h = bearer(client, "cur_a")
    assert client.get(f"/api/v1/cases/{world['case_a']}", headers=h).status_code == 200
    other = client.get(f"/api/v1/cases/{world['case_b']}", headers=h)
    assert other.status_code == 404
    assert "Смирнова" not in other.text
    listed = {c["id"] for c in client.get("/api/v1/cases", headers=h).json()}
    assert listed == {world["case_a"]}
    assert client.post(f"/api/v1/cases/{world['case_b']}/acknowledge", headers=h).status_code == 404


def test_assigned_case_outside_municipality_is_visible_to_its_curator(
    make_client: Callable[..., TestClient], world: dict[str, str]
) -> None:
    client = make_client()
    coord = bearer(client, "coord")
    client.post(f"/api/v1/cases/{world['case_b']}/acknowledge", headers=coord)
    url = f"/api/v1/cases/{world['case_b']}/curator"
    assert client.post(url, json={"curator_id": world["cur_a"]}, headers=coord).status_code == 422
    body = {"curator_id": world["cur_a"], "confirm_other_municipality": True}  # another municipality's
    r = client.post(url, json=body, headers=coord)
    assert r.status_code == 200, r.text
    h = bearer(client, "cur_a")
    assert client.get(f"/api/v1/cases/{world['case_b']}", headers=h).status_code == 200


def test_liaison_reads_own_agency_cases_and_cannot_act(
    make_client: Callable[..., TestClient], world: dict[str, str]
) -> None:
    client = make_client()
    h = bearer(client, "police")
    assert {c["id"] for c in client.get("/api/v1/cases", headers=h).json()} == {world["case_a"]}
    assert client.get(f"/api/v1/cases/{world['case_a']}", headers=h).status_code == 200
    assert client.get(f"/api/v1/cases/{world['case_b']}", headers=h).status_code == 404
    actions: list[tuple[str, dict[str, Any]]] = [
        ("acknowledge", {}),
        ("close", {"outcome": "family_preserved"}),
        ("review-date", {"review_date": "2030-01-01"}),
        ("curator", {"curator_id": world["cur_a"]}),
    ]
    for action, body in actions:
        r = client.post(f"/api/v1/cases/{world['case_a']}/{action}", json=body, headers=h)
        assert r.status_code == 403, action
    detail = client.get(f"/api/v1/cases/{world['case_a']}", headers=h).json()
    assert detail["case"]["status"] == "new"
    assert client.get("/api/v1/audit", headers=h).status_code == 403


def test_operator_sees_no_personal_data(
    make_client: Callable[..., TestClient], world: dict[str, str], dead_letters: list[Any]
) -> None:
    client = make_client()
    h = bearer(client, "oper")
    assert client.get("/api/v1/cases", headers=h).status_code == 403
    assert client.get(f"/api/v1/cases/{world['case_a']}", headers=h).status_code == 404
    assert client.get("/api/v1/matches", headers=h).status_code == 403
    assert client.get("/api/v1/audit", headers=h).status_code == 403
    seen = [
        client.get("/api/v1/stats", headers=h),
        client.get("/api/v1/pipeline", headers=h),
        client.get("/api/v1/dead-letters", headers=h),
        client.get("/metrics"),
    ]
    for r in seen:
        assert r.status_code == 200, r.url
        for value in PERSONAL:
            assert value not in r.text, (r.url, value)
    # The operator's web pages: queue redirects to the pipeline page; case pages are not found.
    web = make_client()
    web.post("/ui/login", data={"username": "oper", "password": "correct horse battery staple"})
    page = web.get("/ui/", follow_redirects=True)
    assert page.url.path == "/ui/ops"
    assert web.get(f"/ui/cases/{world['case_a']}").status_code == 404
    for value in PERSONAL:
        assert value not in page.text


def test_unauthenticated_requests_are_refused(
    make_client: Callable[..., TestClient], world: dict[str, str]
) -> None:
    client = make_client()
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{world['case_a']}").status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer forged.token"}).status_code == 401
    r = client.get("/ui/", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/login"
