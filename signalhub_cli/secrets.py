"""The refusal of the processes that guard access (api, gateway, notifier) to start on default secrets."""

from __future__ import annotations

import typer
from pydantic import SecretStr
from rich.console import Console

from signalhub.settings import Settings

console = Console(stderr=True)


def require_real_secrets(settings: Settings, **others: SecretStr) -> None:
    """Exit (code 2) naming each secret left at the shipped default, unless SIGNALHUB_DEV_MODE is set:
    with a known SIGNALHUB_SECRET_KEY anyone can forge sessions."""
    defaults = settings.default_secrets(**others)
    if defaults:
        console.print(
            f"refusing to start: {', '.join(defaults)} still has the shipped default value; set a "
            "secret of your own (or SIGNALHUB_DEV_MODE=1 for development only)",
            style="red", markup=False, highlight=False,
        )  # fmt: skip
        raise typer.Exit(2)
