"""`signalhub relay run`: publish the outbox to Kafka."""

from __future__ import annotations

import logging

import typer

from consumers.relay import app as relay_app
from consumers.relay.settings import RelaySettings
from signalhub.settings import Settings
from signalhub.shutdown import stop_on_signals

app = typer.Typer(no_args_is_help=True, help="The outbox relay: committed alerts and receipts -> Kafka.")


@app.command()
def run(
    batch_size: int | None = typer.Option(None, help="Rows per batch (SIGNALHUB_RELAY_BATCH_SIZE)."),
    metrics_port: int | None = typer.Option(None, help="Serve /metrics on this port (0: none)."),
) -> None:
    """Run the relay until SIGTERM/SIGINT. Settings from SIGNALHUB_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    relay_settings = RelaySettings()
    if batch_size is not None:
        relay_settings.batch_size = batch_size
    if metrics_port is not None:
        relay_settings.metrics_port = metrics_port
    relay_app.run(Settings(), relay_settings, stop_on_signals())
