"""Web security on PostgreSQL: CSRF on form posts, cookie flags, login rate limit (per username and
address, per address, forwarded addresses only from trusted proxies, Origin), audit log."""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from services.api.app import create_app, uvicorn_config
from services.api.config import ApiSettings
from tests.fixtures.api import PASSWORD, Seed, app_settings, bearer
from tests.fixtures.intake import wait_for

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


@contextmanager
def _served(url: str, **api: Any) -> Iterator[str]:
    """The app on a real uvicorn (the process's own configuration) on 127.0.0.1, in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = ApiSettings(host="127.0.0.1", port=port, **api)
    server = uvicorn.Server(uvicorn_config(create_app(app_settings(url), settings), settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, timeout_s=20, what="uvicorn")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _attempt(base: str, username: str, password: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    r = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    )
    return r.status_code


def test_a_rotated_forwarded_for_header_does_not_reset_the_limit(seed: Seed, api_db_url: str) -> None:
    """No proxy configured: X-Forwarded-For is the client's own text and is ignored."""
    seed.user("coord", "coordinator")
    with _served(api_db_url) as base:
        for n in range(5):
            assert _attempt(base, "coord", "wrong", f"198.51.100.{n}") == 401
        assert _attempt(base, "coord", PASSWORD, "198.51.100.77") == 429


def test_forwarded_for_counts_from_a_trusted_proxy_only(seed: Seed, api_db_url: str) -> None:
    seed.user("coord", "coordinator")
    with _served(api_db_url, trusted_proxies=["127.0.0.1"]) as base:
        for _ in range(5):  # the client left of our proxy forges a first entry: ignored
            assert _attempt(base, "coord", "wrong", "10.9.9.9, 203.0.113.5") == 401
        assert _attempt(base, "coord", PASSWORD, "203.0.113.5") == 429
        assert _attempt(base, "coord", PASSWORD, "203.0.113.6") == 200


def test_spraying_usernames_or_passwords_from_one_address_is_limited(
    make_client: Callable[..., TestClient], seed: Seed
) -> None:
    seed.user("coord", "coordinator")
    client = make_client(login_max_failures_per_address=20)
    for n in range(20):
        r = client.post("/api/v1/auth/login", json={"username": f"user{n}", "password": "wrong"})
        assert r.status_code == 401
    assert (
        client.post("/api/v1/auth/login", json={"username": "coord", "password": PASSWORD}).status_code == 429
    )


def test_login_from_another_origin_is_refused(make_client: Callable[..., TestClient], seed: Seed) -> None:
    seed.user("coord", "coordinator")
    client = make_client()
    form = {"username": "coord", "password": PASSWORD}
    evil = {"Origin": "https://evil.example"}
    r = client.post("/ui/login", data=form, headers=evil, follow_redirects=False)
    assert r.status_code == 403
    assert "sh_session" not in r.headers.get("set-cookie", "")
    assert client.post("/api/v1/auth/login", json=form, headers=evil).status_code == 403
    own = {"Origin": "http://testserver"}
    assert client.post("/ui/login", data=form, headers=own, follow_redirects=False).status_code == 303
    behind_proxy = make_client(public_origin="https://hub.example.ru")
    r = behind_proxy.post(
        "/ui/login", data=form, headers={"Origin": "https://hub.example.ru"}, follow_redirects=False
    )
    assert r.status_code == 303
