"""`signalhub users`: accounts of the regional service's workplace.

Every change is written to the audit log in the transaction that makes it, with no user (nobody
is signed in) and a detail of codes and ids only: `{"via": "cli", "user_id": ..., ...}`, never a
username, name or password. The audit page shows these entries as "system/CLI".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from signalhub.domain.roles import Role
from signalhub.passwords import hash_password
from signalhub.settings import AGENCIES, DatabaseSettings
from signalhub.store.accounts import accounts, audit
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.workplace import User

app = typer.Typer(no_args_is_help=True, help="Users of the web UI and REST API.")
console = Console()
errors = Console(stderr=True)
USERNAME = typer.Option(..., "--username", help="Login name")
URL = typer.Option(None, "--url", help="Overrides SIGNALHUB_DB_URL")


@contextmanager
def _db(url: str | None) -> Iterator[Session]:
    engine = make_engine(url or DatabaseSettings().url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _audit(session: Session, action: str, user: User, **detail: Any) -> None:
    """One audit entry, in the session's transaction: no principal, ids and codes only."""
    session.flush()  # a new user's id is assigned at flush
    audit(session, None, action, datetime.now(UTC), detail={"via": "cli", "user_id": user.id, **detail})


@app.command()
def add(
    username: str = USERNAME,
    role: Role = typer.Option(..., help="coordinator | curator | liaison | operator"),
    municipality: str | None = typer.Option(None, help="OKTMO code (curators: their municipality)"),
    agency: str | None = typer.Option(None, help="Agency of a liaison: " + ", ".join(AGENCIES)),
    display_name: str | None = typer.Option(None, help="Name shown in the UI (default: username)"),
    password: str | None = typer.Option(None, help="Prompted for (hidden) when not given"),
    url: str | None = URL,
) -> None:
    """Create a user, or reset the password and attributes of an existing one (and activate it).
    Audited as `user.created` (with the role) or `user.updated` (with the fields that changed)."""
    if role is Role.LIAISON and agency not in AGENCIES:
        raise typer.BadParameter("a liaison needs --agency, one of " + ", ".join(AGENCIES))
    if role is Role.CURATOR and not municipality:
        raise typer.BadParameter("a curator needs --municipality")
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    values: dict[str, Any] = {
        "role": role.value,
        "municipality_code": municipality,
        "agency": agency,
        "display_name": display_name or username,
        "active": True,
    }
    with _db(url) as session:
        user = session.scalar(select(User).where(User.username == username))
        created = user is None
        if user is None:
            user = User(username=username, created_at=datetime.now(UTC))
            session.add(user)
        # The hash is new even for the same password, and it ends the user's sessions.
        changed = sorted(["password", *(k for k, v in values.items() if getattr(user, k) != v)])
        user.password_hash = hash_password(secret)
        for name, value in values.items():
            setattr(user, name, value)
        if created:
            _audit(session, "user.created", user, role=role.value)
        else:
            _audit(session, "user.updated", user, fields=changed)
        session.commit()
    console.print(f"user {username} {'created' if created else 'updated'} ({role.value})", markup=False)


@app.command("list")
def list_users(
    url: str | None = URL,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Every user: id, username, role, municipality, agency, active. Never a password hash."""
    with _db(url) as session:
        rows = accounts(session)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
        return
    table = Table("id", "username", "role", "municipality", "agency", "active")
    for r in rows:
        flag = "yes" if r.active else "no"
        table.add_row(r.id, r.username, r.role, r.municipality_code or "", r.agency or "", flag)
    console.print(table)


@app.command()
def deactivate(username: str = USERNAME, url: str | None = URL) -> None:
    """The user can no longer log in; every session of theirs ends. Audited (`user.deactivated`)."""
    _set_active(username, False, url)


@app.command()
def activate(username: str = USERNAME, url: str | None = URL) -> None:
    """A deactivated user may log in again (with the same password). Audited (`user.activated`)."""
    _set_active(username, True, url)


def _set_active(username: str, active: bool, url: str | None) -> None:
    state = "active" if active else "inactive"
    with _db(url) as session:
        user = session.scalar(select(User).where(User.username == username).with_for_update())
        if user is None:
            errors.print(f"no user named {username!r}", style="red", markup=False)
            raise typer.Exit(1)
        if user.active == active:
            console.print(f"user {username} is already {state}, nothing changed", markup=False)
            return
        user.active = active  # the flush ends the user's sessions (`_end_sessions_on_change`)
        _audit(session, "user.activated" if active else "user.deactivated", user)
        session.commit()
    console.print(f"user {username} is now {state}", markup=False)
