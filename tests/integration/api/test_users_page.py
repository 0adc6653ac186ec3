"""The coordinator's page of accounts in the web UI, on SQLite and PostgreSQL: the list, the forms
to deactivate, activate and end sessions (CSRF-checked, audited with ids only), the refusal of
other roles and of deactivating oneself."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from signalhub.store.workplace import AuditEntry, User, UserSession
from tests.fixtures.api import MUNI_A, PASSWORD, Seed, bearer

Make = Callable[..., TestClient]


def _web(make: Make, username: str) -> TestClient:
    """A browser logged in as `username` (the session cookie in its jar)."""
    client = make()
    r = client.post("/ui/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _csrf(client: TestClient, path: str = "/ui/users") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert m is not None
    return m.group(1)


def _cells(page: str, user_id: str) -> list[str]:
    """The text of each cell of the user's row."""
    row = re.search(rf'<tr id="u-{user_id}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert row is not None, f"no row of {user_id}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


def _forms(page: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="(/ui/users/[^"]+)"', page))


def _audit(seed: Seed) -> list[tuple[str | None, str, dict[str, object]]]:
    with seed.session() as s:
        rows = s.execute(
            select(AuditEntry.user_id, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)
        )
        return [(uid, a, detail) for uid, a, detail in rows if a.startswith(("user.", "sessions."))]


def _login_status(client: TestClient, username: str) -> int:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return int(r.status_code)


def test_a_coordinator_sees_every_account_with_its_buttons(make: Make, db_seed: Seed) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    pol = db_seed.user("pol", "liaison", agency="police")
    gone = db_seed.user("gone", "operator")
    with db_seed.session() as s:
        s.get_one(User, gone).active = False
        s.commit()
    r = _web(make, "coord").get("/ui/users")
    assert r.status_code == 200
    page = r.text
    assert '<a href="/ui/users">Пользователи</a>' in page
    assert re.findall(r'<tr id="u-([^"]+)"', page) == [coord, cur, gone, pol]  # by username
    assert _cells(page, coord)[:5] == ["coord это вы", "координатор", "—", "—", "да"]
    assert _cells(page, cur)[:5] == ["cur", "куратор", "г. Новосибирск", "—", "да"]
    assert _cells(page, pol)[:5] == ["pol", "представитель ведомства", "—", "Полиция (ПДН)", "да"]
    assert _cells(page, gone)[:5] == ["gone", "оператор", "—", "—", "нет"]
    # Deactivate for the other active users, activate for the inactive one, never for oneself.
    assert _forms(page) == {
        *(f"/ui/users/{uid}/sessions/revoke" for uid in (coord, cur, pol, gone)),
        f"/ui/users/{cur}/deactivate",
        f"/ui/users/{pol}/deactivate",
        f"/ui/users/{gone}/activate",
    }


def test_other_roles_are_refused_the_page_and_the_forms(make: Make, db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    db_seed.user("cur", "curator", municipality=MUNI_A)
    other = db_seed.user("other", "curator", municipality=MUNI_A)
    db_seed.user("oper", "operator")
    case_id = db_seed.case(municipality=MUNI_A)
    for who in ("cur", "oper"):
        web = _web(make, who)
        assert 'href="/ui/users"' not in web.get("/ui/", follow_redirects=True).text
        r = web.get("/ui/users")
        assert (r.status_code, "Нет доступа" in r.text) == (403, True)
    web = _web(make, "cur")
    token = _csrf(web, f"/ui/cases/{case_id}")  # a valid token of the curator's session
    for verb in ("deactivate", "activate", "sessions/revoke"):
        r = web.post(f"/ui/users/{other}/{verb}", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403
    assert _login_status(make(), "other") == 200
    assert _audit(db_seed) == []


def test_deactivating_through_the_form_ends_sessions_blocks_login_and_is_audited(
    make: Make, db_seed: Seed
) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    web = _web(make, "coord")
    api = make()
    token, cur_web = bearer(api, "cur"), _web(make, "cur")
    r = web.post(f"/ui/users/{cur}/deactivate", data={"csrf_token": _csrf(web)}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/ui/users?msg=deactivated#u-{cur}")
    page = web.get(r.headers["location"]).text
    assert "Пользователь отключён" in page
    assert _cells(page, cur)[4] == "нет"
    assert api.get("/api/v1/me", headers=token).status_code == 401
    assert cur_web.get("/ui/", follow_redirects=False).headers["location"] == "/ui/login"
    assert _login_status(api, "cur") == 401
    with db_seed.session() as s:
        assert s.get_one(User, cur).active is False
        assert list(s.scalars(select(UserSession.id).where(UserSession.user_id == cur))) == []
    assert _audit(db_seed) == [(coord, "user.deactivated", {"user_id": cur})]


def test_activating_and_ending_sessions_through_the_forms(make: Make, db_seed: Seed) -> None:
    coord = db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    web = _web(make, "coord")
    api = make()
    csrf = {"csrf_token": _csrf(web)}
    web.post(f"/ui/users/{cur}/deactivate", data=csrf)
    r = web.post(f"/ui/users/{cur}/activate", data=csrf, follow_redirects=False)
    assert r.headers["location"] == f"/ui/users?msg=activated#u-{cur}"
    assert "снова может входить" in web.get(r.headers["location"]).text
    first, second = bearer(api, "cur"), bearer(api, "cur")
    r = web.post(f"/ui/users/{cur}/activate", data=csrf, follow_redirects=False)
    assert r.headers["location"] == f"/ui/users?msg=unchanged#u-{cur}"
    r = web.post(f"/ui/users/{cur}/sessions/revoke", data=csrf, follow_redirects=False)
    assert r.headers["location"] == f"/ui/users?msg=revoked&n=2#u-{cur}"
    assert "Все сеансы пользователя завершены (завершено: 2 сеанса)" in web.get(r.headers["location"]).text
    assert [api.get("/api/v1/me", headers=h).status_code for h in (first, second)] == [401, 401]
    assert _login_status(api, "cur") == 200
    assert _audit(db_seed) == [
        (coord, "user.deactivated", {"user_id": cur}),
        (coord, "user.activated", {"user_id": cur}),
        (coord, "sessions.revoked", {"user_id": cur, "sessions": 2}),
    ]


def test_a_post_without_the_csrf_token_is_refused(make: Make, db_seed: Seed) -> None:
    db_seed.user("coord", "coordinator")
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    web = _web(make, "coord")
    token = _csrf(web)
    other = _web(make, "coord")  # another session of the same coordinator
    for verb in ("deactivate", "sessions/revoke"):
        url = f"/ui/users/{cur}/{verb}"
        assert web.post(url, data={}, follow_redirects=False).status_code == 403
        assert web.post(url, data={"csrf_token": "x" + token}, follow_redirects=False).status_code == 403
        assert other.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    assert _login_status(make(), "cur") == 200
    with db_seed.session() as s:
        assert s.get_one(User, cur).active is True
    assert _audit(db_seed) == []
    r = web.post("/ui/users/no-such-user/deactivate", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 404
    assert "Такой записи нет" in r.text  # the shared not-found page speaks of any record, not of cases


def test_deactivating_oneself_shows_a_message_and_changes_nothing(make: Make, db_seed: Seed) -> None:
    coord = db_seed.user("coord", "coordinator")
    web = _web(make, "coord")
    url = f"/ui/users/{coord}/deactivate"  # no button for it; a hand-made post
    r = web.post(url, data={"csrf_token": _csrf(web)}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/ui/users?err=self#u-{coord}")
    page = web.get(r.headers["location"], follow_redirects=False)
    assert page.status_code == 200  # still logged in
    assert "Нельзя отключить собственную учётную запись" in page.text
    assert _cells(page.text, coord)[4] == "да"
    with db_seed.session() as s:
        assert s.get_one(User, coord).active is True
    assert _audit(db_seed) == []
