"""`signalhub notifier run|parked|retry`: alert delivery to the regional service."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from consumers.notifier import app as notifier_app
from consumers.notifier import deliveries
from consumers.notifier.settings import NotifierSettings
from signalhub.settings import DatabaseSettings, Settings
from signalhub.shutdown import stop_on_signals
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub_cli.secrets import require_real_secrets

app = typer.Typer(no_args_is_help=True, help="Deliver alerts by webhook and e-mail; parked alerts.")
console = Console()


@app.command()
def run() -> None:
    """Consume alerts and deliver them until SIGTERM/SIGINT (SIGNALHUB_NOTIFIER_* settings)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings, notifier = Settings(), NotifierSettings()
    require_real_secrets(settings, SIGNALHUB_NOTIFIER_WEBHOOK_SECRET=notifier.webhook_secret)
    notifier_app.run(settings, notifier, stop_on_signals())


@app.command()
def parked(channel: str | None = typer.Option(None, help="Only this channel.")) -> None:
    """List deliveries that exhausted their retries (no personal data: ids, case number, error)."""
    engine = make_engine(DatabaseSettings().url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = deliveries.parked(session, channel)
    finally:
        engine.dispose()
    table = Table("alert_id", "type", "case", "channel", "attempts", "last error", "recorded")
    for row in rows:
        table.add_row(
            row.alert_id,
            str(row.alert.get("alert_type", "")),
            str(row.alert.get("case_number", "")),
            row.channel,
            str(row.attempts),
            row.last_error or "",
            f"{row.created_at:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)
    console.print(f"{len(rows)} parked")


@app.command()
def retry(
    channel: str | None = typer.Option(None, help="Requeue this channel's parked deliveries."),
    alert: str | None = typer.Option(None, "--alert", help="Requeue this alert's parked deliveries."),
) -> None:
    """Requeue parked deliveries (all of them when neither option is given)."""
    engine = make_engine(DatabaseSettings().url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            count = deliveries.requeue(session, datetime.now(UTC), channel=channel, alert_id=alert)
    finally:
        engine.dispose()
    console.print(f"{count} requeued")
