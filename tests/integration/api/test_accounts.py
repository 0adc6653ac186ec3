"""A coordinator's account management through the REST API, on SQLite and PostgreSQL: the list of
users, deactivation and re-activation (audited, sessions ended, login refused)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from signalhub.store.workplace import AuditEntry, User, UserSession
from tests.fixtures.api import MUNI_A, PASSWORD, Seed, bearer


def _login(client: TestClient, username: str) -> int:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return int(r.status_code)


def _audit(seed: Seed) -> list[tuple[str | None, str, dict[str, object]]]:
    with seed.session() as s:
        rows = s.execute(
            select(AuditEntry.user_id, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)
        )
        return [(uid, action, detail) for uid, action, detail in rows if not action.startswith("login")]


def test_a_coordinator_lists_the_users_without_secrets(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    liaison = db_seed.user("pol", "liaison", agency="police")
    api = make()
    r = api.get("/api/v1/users", headers=bearer(api, "coord"))
    assert r.status_code == 200
    assert r.json() == [
        {"id": coord, "username": "coord", "role": "coordinator", "municipality_code": None, "agency": None, "active": True},
        {"id": cur, "username": "cur", "role": "curator", "municipality_code": MUNI_A, "agency": None, "active": True},
        {"id": liaison, "username": "pol", "role": "liaison", "municipality_code": None, "agency": "police", "active": True},
    ]  # fmt: skip
    for who in ("cur", "pol"):
        assert api.get("/api/v1/users", headers=bearer(api, who)).status_code == 403
    assert api.get("/api/v1/users").status_code == 401


def test_deactivation_ends_sessions_refuses_login_and_is_audited(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    api = make()
    admin, token = bearer(api, "coord"), bearer(api, "cur")
    r = api.post(f"/api/v1/users/{cur}/deactivate", headers=admin)
    assert r.status_code == 200
    assert r.json() == {"user_id": cur, "active": False, "changed": True}
    assert api.get("/api/v1/me", headers=token).status_code == 401
    assert _login(api, "cur") == 401
    with db_seed.session() as s:
        assert s.get_one(User, cur).active is False
        assert list(s.scalars(select(UserSession.id).where(UserSession.user_id == cur))) == []
    listed = {u["id"]: u["active"] for u in api.get("/api/v1/users", headers=admin).json()}
    assert listed == {coord: True, cur: False}
    again = api.post(f"/api/v1/users/{cur}/deactivate", headers=admin)
    assert again.json() == {"user_id": cur, "active": False, "changed": False}
    assert _audit(db_seed) == [(coord, "user.deactivated", {"user_id": cur})]


def test_activation_lets_the_user_log_in_again_and_is_audited(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    api = make()
    admin = bearer(api, "coord")
    assert api.post(f"/api/v1/users/{cur}/deactivate", headers=admin).status_code == 200
    assert _login(api, "cur") == 401
    r = api.post(f"/api/v1/users/{cur}/activate", headers=admin)
    assert r.status_code == 200
    assert r.json() == {"user_id": cur, "active": True, "changed": True}
    assert api.get("/api/v1/me", headers=bearer(api, "cur")).status_code == 200
    assert api.post(f"/api/v1/users/{cur}/activate", headers=admin).json()["changed"] is False
    assert _audit(db_seed) == [
        (coord, "user.deactivated", {"user_id": cur}),
        (coord, "user.activated", {"user_id": cur}),
    ]


def test_only_a_coordinator_deactivates_and_only_known_users(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    other = db_seed.user("other", "curator", municipality=MUNI_A)
    db_seed.user("oper", "operator")
    api = make()
    for who in ("cur", "oper"):
        headers = bearer(api, who)
        for verb in ("deactivate", "activate"):
            assert api.post(f"/api/v1/users/{other}/{verb}", headers=headers).status_code == 403
    admin = bearer(api, "coord")
    for verb in ("deactivate", "activate"):
        r = api.post(f"/api/v1/users/no-such-user/{verb}", headers=admin)
        assert (r.status_code, r.json()) == (404, {"detail": "not found"})
    with db_seed.session() as s:
        assert all(s.get_one(User, uid).active for uid in (cur, other))
    assert _audit(db_seed) == []


def test_a_coordinator_cannot_deactivate_themself(make: Callable[..., TestClient], db_seed: Seed) -> None:
    coord = db_seed.user("coord", "coordinator")
    second = db_seed.user("second", "coordinator")
    api = make()
    admin = bearer(api, "coord")
    r = api.post(f"/api/v1/users/{coord}/deactivate", headers=admin)
    assert r.status_code == 409
    assert r.json() == {"detail": "a coordinator cannot deactivate their own account"}
    assert api.get("/api/v1/me", headers=admin).status_code == 200
    assert _audit(db_seed) == []
    # another coordinator may
    r = api.post(f"/api/v1/users/{coord}/deactivate", headers=bearer(api, "second"))
    assert r.status_code == 200
    assert api.get("/api/v1/me", headers=admin).status_code == 401
    assert _audit(db_seed) == [(second, "user.deactivated", {"user_id": coord})]
