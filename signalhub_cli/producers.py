"""Producer commands: `import`, `receipts`, `simulate`, and `gateway add-key|list-keys|revoke-key|serve`.

The one place where `signalhub` reaches into `producers` (the CLI is a composition root).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from signalhub.domain.vocabulary import Agency
from signalhub.gateway_settings import GatewaySettings
from signalhub.settings import Settings

console = Console()
gateway_app = typer.Typer(no_args_is_help=True, help="HTTP signal gateway for agency systems.")
AGENCY_HELP = "police | health | education | guardianship | social"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("receipts")(receipts_command)
    app.command("simulate")(simulate_command)
    app.add_typer(gateway_app, name="gateway")


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=False,
    )  # fmt: skip


def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    agency: Agency = typer.Option(..., help=AGENCY_HELP),
    fmt: str | None = typer.Option(None, "--format", help="csv | jsonl | xlsx; default: by the file name"),
    encoding: str | None = typer.Option(
        None,
        help="Text encoding of a CSV or JSONL file; default: detected (UTF-8 with or without BOM, Windows-1251)",
    ),
    record_type: str | None = typer.Option(None, help="Source format; default: the agency's usual export"),
    batch_size: int = typer.Option(500, min=1),
    restart: bool = typer.Option(False, help="Ignore saved progress and start from the first row"),
) -> None:
    """Validate every row of FILE, publish the good ones, report the bad ones; resumable.

    Exit 0 when every row is settled (published, rejected into the report, or nothing to report),
    1 when the broker failed (run again to resume), 130 when interrupted (run again to resume).
    """
    from producers.adapters import ADAPTERS, default_record_type
    from producers.file_import import SIGNAL_RECORD_TYPE, import_file
    from producers.publisher import Publisher, PublishError
    from producers.rows import FileFormat, count_rows

    settings = Settings()
    kind = record_type or default_record_type(agency.value)
    if kind != SIGNAL_RECORD_TYPE and kind not in ADAPTERS:
        raise typer.BadParameter(f"unknown record type; known: {', '.join([*ADAPTERS, SIGNAL_RECORD_TYPE])}")
    try:
        file_format = FileFormat(fmt) if fmt else FileFormat.of(file)
        total = count_rows(file, file_format, encoding)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    with Publisher(settings.kafka, rules=settings.signal_rules()) as publisher, progress_bar() as bar:
        task = bar.add_task(f"import {file.name}", total=total)
        try:
            result = import_file(
                file, file_format, agency.value, kind, publisher, region=settings.region(), encoding=encoding,
                batch_size=batch_size, restart=restart, on_row=lambda row: bar.update(task, completed=row),
            )  # fmt: skip
        except PublishError as e:
            console.print(f"[red]{e}[/red]; progress saved, run the same command again to resume")
            raise typer.Exit(1) from None
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        bar.update(task, completed=result.state.last_row)
    s = result.state
    if result.resumed_from:
        console.print(f"resumed after row {result.resumed_from}")
    console.print(
        f"rows settled {s.last_row}/{total}: published {s.published}, rejected {s.rejected}, "
        f"no signal {s.skipped}; published in this run {result.published_now}"
    )
    if s.rejected:
        console.print(f"[yellow]reject report: {result.report_path}[/yellow]")
    if result.interrupted:
        console.print("[yellow]interrupted; run the same command again to resume[/yellow]")
        raise typer.Exit(130)


def receipts_command(
    agency: Agency = typer.Option(..., help=AGENCY_HELP),
    from_beginning: bool = typer.Option(False, help="Show all receipts, not only those not seen before"),
    limit: int | None = typer.Option(None, min=1),
    idle: float = typer.Option(2.0, help="Stop after this many seconds without a new receipt"),
) -> None:
    """Show what became of the agency's signals (topic receipts.<agency>)."""
    from producers.receipts import read_receipts

    found = read_receipts(
        Settings().kafka, agency.value, from_beginning=from_beginning, limit=limit, idle_s=idle
    )
    table = Table(title=f"receipts.{agency.value}")
    for column in ("processed", "event_id", "source record", "status", "case", "corroborated", "reason"):
        table.add_column(column)
    for r in found:
        table.add_row(
            f"{r.processed_at:%Y-%m-%d %H:%M:%S}" if r.processed_at else "",
            r.event_id, r.source_record_id or "", r.status, r.case_number or "",
            "yes" if r.corroborated else "",
            " ".join(x for x in (r.error_field, r.reason) if x),
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(found)} receipt(s)")


def simulate_command(
    rate: float = typer.Option(20.0, min=0.1, help="Signals per second"),
    duration: float = typer.Option(30.0, min=0.1, help="Seconds"),
    seed: int = typer.Option(1),
    truth_out: Path | None = typer.Option(None, help="Directory for the ground truth files"),
) -> None:
    """Publish realistic signals of all five agencies, with noise; write the ground truth."""
    from producers.publisher import Publisher
    from producers.simulator.run import run_simulation

    settings = Settings()
    total = max(1, round(rate * duration))
    with Publisher(settings.kafka, rules=settings.signal_rules()) as publisher, progress_bar() as bar:
        task = bar.add_task("simulate", total=total)
        report = run_simulation(
            publisher, seed=seed, count=total, rate=rate, region_code=settings.region_code,
            truth_dir=truth_out, on_sent=lambda n: bar.update(task, completed=n),
        )  # fmt: skip
    console.print(
        f"published {report.published} signals ({report.resent} resends, {report.amendments} amendments)"
    )
    if truth_out is not None:
        console.print(f"ground truth in {truth_out}")


@gateway_app.command("add-key")
def add_key_command(agency: Agency = typer.Option(..., help=AGENCY_HELP), label: str = "") -> None:
    """Create an API key for AGENCY; it is printed once and only its hash is stored."""
    from producers.gateway.keys import add_key

    settings = GatewaySettings()
    key = add_key(settings.keys_file, agency, label)
    console.print(f"API key for {agency.value} (shown once, store it now):")
    print(key)  # noqa: T201 - plain stdout so scripts can capture the key


@gateway_app.command("list-keys")
def list_keys_command() -> None:
    """List key ids and agencies (never the keys)."""
    from producers.gateway.keys import read_entries

    table = Table("key id", "agency", "created", "label")
    for e in read_entries(GatewaySettings().keys_file):
        table.add_row(e.key_id, e.agency, e.created_at, e.label)
    console.print(table)


@gateway_app.command("revoke-key")
def revoke_key_command(key_id: str) -> None:
    """Remove a key; the running gateway stops accepting it on the next request."""
    from producers.gateway.keys import revoke_key

    if not revoke_key(GatewaySettings().keys_file, key_id):
        console.print("no such key")
        raise typer.Exit(1)
    console.print("revoked")


@gateway_app.command("serve")
def serve_command(port: int | None = typer.Option(None), host: str | None = typer.Option(None)) -> None:
    """Run the gateway (uvicorn) until interrupted."""
    from producers.gateway.server import serve
    from signalhub_cli.secrets import require_real_secrets

    settings = Settings()
    require_real_secrets(settings)
    gateway = GatewaySettings()
    update = {k: v for k, v in (("port", port), ("host", host)) if v is not None}
    serve(settings.kafka, settings.signal_rules(), gateway.model_copy(update=update))
