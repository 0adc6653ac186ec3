"""`signalhub users` on SQLite and PostgreSQL: list, deactivate, activate, and the audit entry every
change writes (no principal, ids and codes only), as the audit page and CSV show it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner, Result

from signalhub.store.workplace import AuditEntry, User
from signalhub_cli import app as cli
from tests.fixtures.api import MUNI_A, PASSWORD, Seed, bearer


def _users(seed: Seed, *args: str) -> Result:
    return CliRunner().invoke(cli, ["users", *args, "--url", seed.url])


def _audit(seed: Seed) -> list[tuple[str | None, str, dict[str, Any]]]:
    """Every entry but logins: (user_id, action, detail)."""
    with seed.session() as s:
        q = select(AuditEntry.user_id, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id)
        return [(uid, act, detail) for uid, act, detail in s.execute(q) if not act.startswith("login")]


def _me(api: TestClient, headers: dict[str, str]) -> int:
    return int(api.get("/api/v1/me", headers=headers).status_code)


def _login(api: TestClient, username: str, password: str = PASSWORD) -> int:
    r = api.post("/api/v1/auth/login", json={"username": username, "password": password})
    return int(r.status_code)


def test_list_shows_accounts_and_never_a_password_hash(db_seed: Seed) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    pol = db_seed.user("pol", "liaison", agency="police")
    assert _users(db_seed, "deactivate", "--username", "pol").exit_code == 0
    result = _users(db_seed, "list", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"id": cur, "username": "cur", "role": "curator", "municipality_code": MUNI_A, "agency": None, "active": True},
        {"id": pol, "username": "pol", "role": "liaison", "municipality_code": None, "agency": "police", "active": False},
    ]  # fmt: skip
    table = _users(db_seed, "list")
    assert table.exit_code == 0, table.output
    with db_seed.session() as s:
        hashes = list(s.scalars(select(User.password_hash)))
    lines = table.stdout.splitlines()
    assert any("cur" in ln and "curator" in ln and MUNI_A in ln and "yes" in ln for ln in lines)
    assert any("pol" in ln and "liaison" in ln and "police" in ln and "no" in ln for ln in lines)
    assert not any(h in table.stdout or h in result.stdout for h in hashes)
    assert "$argon2" not in table.stdout + result.stdout


def test_deactivate_and_activate_end_sessions_refuse_login_and_are_audited(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    db_seed.user("other", "curator", municipality=MUNI_A)
    api = make()
    token, others = bearer(api, "cur"), bearer(api, "other")
    result = _users(db_seed, "deactivate", "--username", "cur")
    assert result.exit_code == 0, result.output
    assert "now inactive" in result.stdout
    assert (_me(api, token), _me(api, others)) == (401, 200)
    assert _login(api, "cur") == 401
    again = _users(db_seed, "deactivate", "--username", "cur")
    assert again.exit_code == 0
    assert "already inactive" in again.stdout
    result = _users(db_seed, "activate", "--username", "cur")
    assert result.exit_code == 0, result.output
    assert _me(api, token) == 401  # ended, not suspended
    assert _me(api, bearer(api, "cur")) == 200
    assert _audit(db_seed) == [
        (None, "user.deactivated", {"via": "cli", "user_id": cur}),
        (None, "user.activated", {"via": "cli", "user_id": cur}),
    ]


def test_an_unknown_username_is_an_error_and_changes_nothing(db_seed: Seed) -> None:
    db_seed.user("cur", "curator", municipality=MUNI_A)
    for verb in ("deactivate", "activate"):
        result = _users(db_seed, verb, "--username", "nobody")
        assert result.exit_code == 1
        assert "no user named 'nobody'" in result.stderr
    with db_seed.session() as s:
        assert s.scalars(select(User.active)).one() is True
    assert _audit(db_seed) == []


def test_add_is_audited_with_ids_and_codes_only(db_seed: Seed) -> None:
    secret, name = "a brand new secret", "Петрова Анна Сергеевна"
    add = ["add", "--username", "petrova", "--password", secret, "--display-name", name]
    assert _users(db_seed, *add, "--role", "curator", "--municipality", MUNI_A).exit_code == 0
    assert _users(db_seed, *add, "--role", "coordinator").exit_code == 0
    assert _users(db_seed, "deactivate", "--username", "petrova").exit_code == 0
    assert _users(db_seed, *add, "--role", "coordinator").exit_code == 0  # re-activates
    with db_seed.session() as s:
        uid = s.scalars(select(User.id)).one()
    assert _audit(db_seed) == [
        (None, "user.created", {"via": "cli", "user_id": uid, "role": "curator"}),
        (None, "user.updated", {"via": "cli", "user_id": uid, "fields": ["municipality_code", "password", "role"]}),
        (None, "user.deactivated", {"via": "cli", "user_id": uid}),
        (None, "user.updated", {"via": "cli", "user_id": uid, "fields": ["active", "password"]}),
    ]  # fmt: skip
    text = json.dumps([d for _, _, d in _audit(db_seed)], ensure_ascii=False)
    assert not any(word in text for word in ("petrova", "Петрова", "Анна", secret))


def test_the_audit_page_and_csv_show_cli_entries_as_system(
    make: Callable[..., TestClient], db_seed: Seed
) -> None:
    cur = db_seed.user("cur", "curator", municipality=MUNI_A)
    db_seed.user("coord", "coordinator")
    args = [
        "add",
        "--username",
        "cur",
        "--role",
        "curator",
        "--municipality",
        MUNI_A,
        "--password",
        "new one",
    ]
    assert _users(db_seed, *args).exit_code == 0
    api = make()
    rows = list(csv.DictReader(io.StringIO(api.get("/api/v1/audit.csv", headers=bearer(api, "coord")).text)))
    [row] = [r for r in rows if r["action"] == "user.updated"]
    assert (row["username"], row["role"]) == ("system/CLI", "")
    assert row["detail"] == f"fields=display_name,password;user_id={cur};via=cli"
    assert _login(api, "nobody") == 401  # an entry without a user that is not the CLI's
    web = make()
    r = web.post("/ui/login", data={"username": "coord", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    page = web.get("/ui/audit")
    assert page.status_code == 200
    assert "<td>система (командная строка)</td>" in page.text
    assert "Изменена учётная запись" in page.text
    assert "пользователь: cur" in page.text  # the account by its login, not by its id
    assert cur not in page.text
    assert "поля: имя, пароль" in page.text
    # the failed login is nobody's, not the CLI's
    assert page.text.count("<td>система (командная строка)</td>") == 1
    assert "<td>—</td>" in page.text
