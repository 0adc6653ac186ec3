"""`signalhub db`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from signalhub.settings import DatabaseSettings
from signalhub.store import migrate

app = typer.Typer(no_args_is_help=True, help="Database schema migrations (Alembic).")
console = Console()


def _url(url: str | None) -> str:
    return url or DatabaseSettings().url


@app.command()
def upgrade(
    revision: str = "head", url: str | None = typer.Option(None, help="Overrides SIGNALHUB_DB_URL")
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(_url(url), revision)
    console.print(f"database at {revision}")


@app.command()
def downgrade(revision: str, url: str | None = typer.Option(None, help="Overrides SIGNALHUB_DB_URL")) -> None:
    """Revert migrations down to REVISION ('base' removes everything)."""
    migrate.downgrade(_url(url), revision)
    console.print(f"database at {revision}")
