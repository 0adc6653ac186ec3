"""`signalhub api serve`: the regional service's web UI and REST API."""

from __future__ import annotations

import logging

import typer

from signalhub.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Web UI and REST API of the regional service.")


@app.command()
def serve(
    host: str = typer.Option(None, help="Overrides SIGNALHUB_API_HOST (default 127.0.0.1)"),
    port: int = typer.Option(None, help="Overrides SIGNALHUB_API_PORT (default 8000)"),
) -> None:
    """Serve the UI at /ui/, the API at /api/v1 (docs at /docs), /healthz, /readyz and /metrics."""
    # Imported here so that other `signalhub` commands do not load the web stack.
    from services.api.app import serve as run
    from services.api.config import ApiSettings
    from signalhub_cli.secrets import require_real_secrets

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    require_real_secrets(settings)
    api = ApiSettings()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    run(settings, api.model_copy(update=overrides))
