"""`signalhub scheduler run|tick`: deadlines, review reminders, retention."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import typer
from rich.console import Console

from services.scheduler import app as scheduler_app
from services.scheduler.settings import SchedulerSettings
from signalhub.settings import Settings
from signalhub.shutdown import stop_on_signals

app = typer.Typer(no_args_is_help=True, help="Acknowledgement deadlines, review reminders and retention.")
console = Console()


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


@app.command()
def run() -> None:
    """Pass after pass (SIGNALHUB_SCHEDULER_INTERVAL_S apart) until SIGTERM/SIGINT."""
    _logging()
    scheduler_app.run(Settings(), SchedulerSettings(), stop_on_signals())


@app.command()
def tick(
    now: str | None = typer.Option(None, help="Pretend it is this ISO 8601 time (default: now)."),
) -> None:
    """One pass, then exit; prints what it did (counts only)."""
    _logging()
    at = datetime.fromisoformat(now.replace("Z", "+00:00")) if now else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    report = scheduler_app.tick(Settings(), SchedulerSettings(), at)
    console.print(f"ack_overdue {report.ack_overdue}, review_due {report.review_due}")
    for (kind, action), count in sorted(report.retention.items()):
        console.print(f"retention {kind} {action} {count}")
