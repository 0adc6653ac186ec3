"""The `signalhub` command: one typer app assembled from one module per concern."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="signalhub: family-risk signals hub")


def _register() -> None:
    # Each concern adds its sub-app here, one line each.
    from signalhub.cli import db

    app.add_typer(db.app, name="db")


_register()
