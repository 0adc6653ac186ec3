"""Web security on PostgreSQL: CSRF on form posts, cookie flags, login rate limit, audit log."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.fixtures.api import PASSWORD, Seed, bearer

pytestmark = pytest.mark.integration


def _login(client: TestClient, username: str) -> str:
    r = client.post("/ui/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["set-cookie"])


def _csrf(client: TestClient, path: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m is not None
    return m.group(1)


def test_session_cookie_flags(make_client: Callable[..., TestClient], seed: Seed) -> None:
    seed.user("coord", "coordinator")
    cookie = _login(make_client(), "coord").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    assert "secure" in _login(make_client(https=True), "coord").lower()


def test_form_posts_need_the_session_csrf_token(make_client: Callable[..., TestClient], seed: Seed) -> None:
    seed.user("coord", "coordinator")
    case_id = seed.case()
    client = make_client()
    _login(client, "coord")
    token = _csrf(client, f"/ui/cases/{case_id}")
    url = f"/ui/cases/{case_id}/acknowledge"
    assert client.post(url, data={}, follow_redirects=False).status_code == 403
    assert client.post(url, data={"csrf_token": "x" + token}, follow_redirects=False).status_code == 403
    # A token of another session of the same user is refused as well.
    other = make_client()
    _login(other, "coord")
    assert other.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    r = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/ui/cases/{case_id}?msg=acknowledge"
    # Cookie-authenticated JSON posts need the token in a header; bearer posts do not.
    api = f"/api/v1/cases/{case_id}/review-date"
    assert client.post(api, json={"review_date": "2030-01-01"}).status_code == 403
    r = client.post(api, json={"review_date": "2030-01-01"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_login_is_rate_limited_per_username_and_address(
    make_client: Callable[..., TestClient], seed: Seed
) -> None:
    seed.user("coord", "coordinator")
    seed.user("other", "coordinator")
    client = make_client()
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "coord", "password": "wrong"})
        assert r.status_code == 401
    assert (
        client.post("/api/v1/auth/login", json={"username": "coord", "password": PASSWORD}).status_code == 429
    )
    assert client.post("/ui/login", data={"username": "coord", "password": PASSWORD}).status_code == 429
    bearer(client, "other")  # another username from the same address is not blocked


def test_every_case_read_and_action_is_audited_and_exported(
    make_client: Callable[..., TestClient], seed: Seed
) -> None:
    seed.user("coord", "coordinator")
    seed.user("cur", "curator", municipality="50701000001")
    case_id = seed.case()
    client = make_client()
    cur = bearer(client, "cur")
    client.get(f"/api/v1/cases/{case_id}", headers=cur)
    client.post(f"/api/v1/cases/{case_id}/acknowledge", headers=cur)
    assert client.get("/api/v1/audit.csv", headers=cur).status_code == 403
    coord = bearer(client, "coord")
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/audit.csv", headers=coord).text)))
    mine = [(r["username"], r["action"]) for r in rows if r["case_id"] == case_id]
    assert ("cur", "case.read") in mine
    assert ("cur", "case.acknowledged") in mine
    assert all("Смирнова" not in ",".join(r.values()) for r in rows)
    web = make_client()
    _login(web, "coord")
    page = web.get("/ui/audit.csv")
    assert page.headers["content-type"].startswith("text/csv")
    assert "case.acknowledged" in page.text
