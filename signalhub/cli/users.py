"""`signalhub users`: accounts of the regional service's workplace."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from sqlalchemy import select

from services.api.access import Role
from services.api.security.passwords import hash_password
from signalhub.settings import AGENCIES, DatabaseSettings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.workplace import User

app = typer.Typer(no_args_is_help=True, help="Users of the web UI and REST API.")
console = Console()


@app.command()
def add(
    username: str = typer.Option(..., help="Login name"),
    role: Role = typer.Option(..., help="coordinator | curator | liaison | operator"),
    municipality: str | None = typer.Option(None, help="OKTMO code (curators: their municipality)"),
    agency: str | None = typer.Option(None, help="Agency of a liaison: " + ", ".join(AGENCIES)),
    display_name: str | None = typer.Option(None, help="Name shown in the UI (default: username)"),
    password: str | None = typer.Option(None, help="Prompted for (hidden) when not given"),
    url: str | None = typer.Option(None, help="Overrides SIGNALHUB_DB_URL"),
) -> None:
    """Create a user, or reset the password and attributes of an existing one."""
    if role is Role.LIAISON and agency not in AGENCIES:
        raise typer.BadParameter("a liaison needs --agency, one of " + ", ".join(AGENCIES))
    if role is Role.CURATOR and not municipality:
        raise typer.BadParameter("a curator needs --municipality")
    secret = password or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(url or DatabaseSettings().url)
    try:
        with make_sessionmaker(engine)() as session:
            user = session.scalar(select(User).where(User.username == username))
            created = user is None
            if user is None:
                user = User(username=username, created_at=datetime.now(UTC))
                session.add(user)
            user.password_hash = hash_password(secret)
            user.role, user.municipality_code, user.agency = role.value, municipality, agency
            user.display_name, user.active = display_name or username, True
            session.commit()
    finally:
        engine.dispose()
    console.print(f"user {username} {'created' if created else 'updated'} ({role.value})")
