"""`signalhub intake run`: one intake process of the consumer group (the database must be migrated)."""

from __future__ import annotations

import logging

import typer

from consumers.intake.app import DEFAULT_GROUP, run
from signalhub.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Intake: signals -> persons, families, cases.")


@app.command("run")
def run_command(
    metrics_port: int | None = typer.Option(None, help="Serve /metrics, /healthz, /readyz on this port"),
    group: str = typer.Option(DEFAULT_GROUP, help="Consumer group"),
    batch_size: int = typer.Option(500, min=1, help="Records per poll and per transaction"),
) -> None:
    """Consume every signals.<agency> topic until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run(Settings(), group=group, batch_size=batch_size, metrics_port=metrics_port)
