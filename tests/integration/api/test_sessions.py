"""Server-side sessions and the shared login rate limit, through the API, on SQLite and PostgreSQL.

Each `make()` builds its own app (own engine and pool), like one API process; all of them share
the test's database and its clock (fixtures in conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from services.api.deps import SESSION_COOKIE
from signalhub.store.workplace import AuditEntry, LoginFailure, User, UserSession
from signalhub_cli import app as cli
from tests.fixtures.api import MUNI_A, PASSWORD, Clock, Seed, bearer


def _login(client: TestClient, username: str, password: str = PASSWORD) -> int:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}).status_code


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/me", headers=headers).status_code


def _set(seed: Seed, user_id: str, **values: Any) -> None:
    with seed.session() as s:
        user = s.get_one(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)
        s.commit()


def _sessions_of(seed: Seed, user_id: str) -> int:
    with seed.session() as s:
        return len(list(s.scalars(select(UserSession.id).where(UserSession.user_id == user_id))))


def test_a_bearer_token_works_until_logout_then_is_refused(
    make: Callable[..., TestClient], db_seed: Seed, clock: Clock
) -> None:
    db_seed.user("cur", "curator", municipality=MUNI_A)
    api, other_process = make(), make()
    token, second = bearer(api, "cur"), bearer(api, "cur")
    clock.advance(hours=7)
    assert _me(api, token) == 200
    assert _me(other_process, token) == 200
    assert api.post("/api/v1/auth/logout", headers=token).status_code == 204
    assert _me(api, token) == 401
    assert _me(other_process, token) == 401
    assert api.post("/api/v1/auth/logout", headers=token).status_code == 401
    assert _me(api, second) == 200  # only the session that logged out has ended
    with db_seed.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["login", "login", "logout"]


def test_a_token_expires_with_its_session(
    make: Callable[..., TestClient], db_seed: Seed, clock: Clock
) -> None:
    db_seed.user("cur", "curator", municipality=MUNI_A)
    api = make(session_hours=1)
    token = bearer(api, "cur")
    clock.advance(minutes=59)
    assert _me(api, token) == 200
    clock.advance(minutes=1)
    assert _me(api, token) == 401


def test_a_copied_cookie_is_refused_after_web_logout(make: Callable[..., TestClient], db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    browser, thief = make(), make()
    r = browser.post("/ui/login", data={"username": "coord", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    cookie = browser.cookies[SESSION_COOKIE]
    thief.cookies.set(SESSION_COOKIE, cookie)
    assert thief.get("/ui/", follow_redirects=False).status_code == 200
    r = browser.post("/ui/logout", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/ui/login")
    assert SESSION_COOKIE not in browser.cookies
    r = thief.get("/ui/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/ui/login")
    assert thief.get("/api/v1/me").status_code == 401


def test_deactivation_ends_sessions_for_good(make: Callable[..., TestClient], db_seed: Seed) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    api = make()
    token = bearer(api, "cur")
    _set(db_seed, cur, active=False)
    assert _me(api, token) == 401
    assert _login(api, "cur") == 401
    _set(db_seed, cur, active=True)
    assert _me(api, token) == 401  # ended, not merely suspended
    assert _me(api, bearer(api, "cur")) == 200


def test_role_change_ends_sessions_and_other_edits_do_not(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    api = make()
    token = bearer(api, "cur")
    _set(db_seed, cur, display_name="Другое Имя")
    assert _me(api, token) == 200
    _set(db_seed, cur, role="coordinator")
    assert _me(api, token) == 401
    assert _sessions_of(db_seed, cur) == 0


def test_password_reset_with_the_cli_ends_sessions(make: Callable[..., TestClient], db_seed: Seed) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    other = db_seed.user("other", "curator", municipality=MUNI_A)
    api = make()
    token, others = bearer(api, "cur"), bearer(api, "other")
    args = ["users", "add", "--username", "cur", "--role", "curator", "--municipality", MUNI_A]
    result = CliRunner().invoke(cli, [*args, "--password", "a new password", "--url", db_seed.url])
    assert result.exit_code == 0, result.output
    assert _me(api, token) == 401
    assert _sessions_of(db_seed, cur) == 0
    assert _me(api, others) == 200
    assert _sessions_of(db_seed, other) == 1
    assert _login(api, "cur") == 401
    assert _me(api, bearer(api, "cur", "a new password")) == 200


def test_a_coordinator_revokes_every_session_of_a_user(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    db_seed.user("coord", "coordinator")
    api = make()
    first, second, coord = bearer(api, "cur"), bearer(api, "cur"), bearer(api, "coord")
    url = f"/api/v1/users/{cur}/sessions/revoke"
    assert api.post(url, headers=first).status_code == 403
    assert api.post("/api/v1/users/no-such-user/sessions/revoke", headers=coord).status_code == 404
    r = api.post(url, headers=coord)
    assert r.status_code == 200
    assert r.json() == {"user_id": cur, "revoked": 2}
    assert (_me(api, first), _me(api, second), _me(api, coord)) == (401, 401, 200)
    with db_seed.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "sessions.revoked")).one()
    assert entry.detail == {"user_id": cur, "sessions": 2}
    assert api.post(url, headers=coord).json()["revoked"] == 0


def test_the_login_limit_is_shared_by_api_processes(make: Callable[..., TestClient], db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    db_seed.user("other", "coordinator")
    first, second = make(), make()
    for api in (first, second, first, second, first):
        assert _login(api, "coord", "wrong") == 401
    assert _login(first, "coord") == 429
    assert _login(second, "coord") == 429
    assert second.post("/ui/login", data={"username": "coord", "password": PASSWORD}).status_code == 429
    assert _login(second, "other") == 200  # another username from the same address
    with db_seed.session() as s:
        keys = set(s.scalars(select(LoginFailure.key)))
    assert len(keys) == 2  # the (username, address) pair and the address over all usernames
    assert all(len(k) == 64 and "coord" not in k for k in keys)


def test_the_login_limit_window_passes(make: Callable[..., TestClient], db_seed: Seed, clock: Clock) -> None:
    db_seed.user("coord", "coordinator")
    first, second = make(), make()
    for _ in range(5):
        assert _login(first, "coord", "wrong") == 401
    clock.advance(seconds=299)
    assert _login(second, "coord") == 429
    clock.advance(seconds=1)
    assert _login(second, "coord") == 200


def test_a_successful_login_clears_the_failures(make: Callable[..., TestClient], db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    first, second = make(), make()
    for _ in range(4):
        assert _login(first, "coord", "wrong") == 401
    assert _login(second, "coord") == 200
    for _ in range(4):
        assert _login(second, "coord", "wrong") == 401
    assert _login(first, "coord") == 200
    for _ in range(5):
        assert _login(first, "coord", "wrong") == 401
    assert _login(first, "coord") == 429
