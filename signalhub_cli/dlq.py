"""`signalhub dlq list|show|replay`: inspect the dead-letter topic and replay letters after a fix.

Nothing printed here holds personal data: bodies and keys are masked (`signalhub.masking`), and
header texts are written without values by intake. `--json` gives the same for scripts.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from signalhub import dlq
from signalhub.masking import masked_body, shape
from signalhub.settings import KafkaSettings

app = typer.Typer(no_args_is_help=True, help="Inspect and replay dead letters (signals intake refused).")
console = Console()

TIMEOUT = typer.Option(30.0, help="Seconds to wait for the broker.")
AS_JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _summary(letter: dlq.DeadLetter) -> dict[str, Any]:
    return {
        "ref": letter.ref,
        "time": letter.timestamp.isoformat(timespec="seconds"),
        "reason": letter.reason,
        "stage": letter.stage,
        "field": letter.field,
        "source_topic": letter.source_topic,
        "source_partition": letter.source_partition,
        "source_offset": letter.source_offset,
        "error": (letter.error("exception.class.name") or "").rsplit(".", 1)[-1],
    }


def _read(timeout: float) -> list[dlq.DeadLetter]:
    try:
        return dlq.read(KafkaSettings(), timeout)
    except TimeoutError as e:
        console.print(str(e), style="red", markup=False)
        raise typer.Exit(1) from e


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("list")
def list_letters(
    reason: str | None = typer.Option(None, help="Only letters of this reason code."),
    limit: int = typer.Option(200, help="Show at most the newest N letters."),
    timeout: float = TIMEOUT,
    as_json: bool = AS_JSON,
) -> None:
    """List dead letters: reference (partition:offset), time, reason, stage and source record."""
    letters = dlq.select(_read(timeout), reason=reason)
    shown = sorted(letters, key=lambda d: d.timestamp)[-limit:] if limit > 0 else []
    if as_json:
        _print_json([_summary(d) for d in shown])
        return
    table = Table("ref", "time (UTC)", "reason", "stage", "source", "error")
    for row in map(_summary, shown):
        source = f"{row['source_topic']}[{row['source_partition']}]@{row['source_offset']}"
        table.add_row(row["ref"], row["time"], row["reason"], row["stage"], source, row["error"])
    console.print(table)
    counts = Counter(d.reason for d in letters)
    totals = ", ".join(f"{name}: {n}" for name, n in counts.most_common())
    console.print(f"{len(letters)} dead letter(s), {len(shown)} shown" + (f" ({totals})" if totals else ""))


@app.command()
def show(
    ref: str = typer.Argument(..., help="partition:offset (or a bare offset) as `dlq list` shows it."),
    timeout: float = TIMEOUT,
    as_json: bool = AS_JSON,
) -> None:
    """Show one dead letter: every header, the key's shape and the body decoded with personal data masked."""
    letter = _pick(_read(timeout), [ref])[0]
    data = {
        **_summary(letter),
        "headers": {k: v.decode("utf-8", errors="replace") for k, v in letter.headers},
        "key": shape(letter.key.decode("utf-8", errors="replace")) if letter.key is not None else None,
        "body": masked_body(letter.value),
    }
    if as_json:
        _print_json(data)
        return
    table = Table("header", "value")
    for name, value in data["headers"].items():
        table.add_row(name, value)
    console.print(table)
    console.print(f"key (shape): {data['key']}", markup=False, highlight=False)
    console.print_json(json.dumps(data["body"], ensure_ascii=False))


@app.command()
def replay(
    refs: list[str] = typer.Argument(None, help="partition:offset of each letter to replay."),
    all_: bool = typer.Option(False, "--all", help="Replay every letter (of --reason, when given)."),
    reason: str | None = typer.Option(None, help="Only letters of this reason code."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be replayed; send nothing."),
    timeout: float = TIMEOUT,
) -> None:
    """Send selected letters back to their source topic, after the cause is fixed.

    Key, value and original headers are kept and `signalhub.replayed-from` is added; intake
    deduplicates on the event id, so replaying what was already taken has no effect.
    """
    if bool(refs) == all_:
        console.print("name letters (partition:offset ...) or pass --all, not both", style="red")
        raise typer.Exit(2)
    chosen = dlq.select(_read(timeout), reason=reason) if all_ else _pick(_read(timeout), refs, reason)
    if dry_run or not chosen:
        for letter in chosen:
            console.print(f"would replay {letter.ref} -> {letter.source_topic}", markup=False)
        console.print(f"{len(chosen)} letter(s) selected, nothing sent")
        return
    results = dlq.replay(KafkaSettings(), chosen, timeout)
    for done in results:
        if done.error is None:
            where = f"{done.topic}[{done.partition}]@{done.offset}"
            console.print(f"replayed {done.letter.ref} -> {where}", markup=False)
        else:
            console.print(f"skipped {done.letter.ref}: {done.error}", style="yellow", markup=False)
    failed = sum(1 for done in results if done.error is not None)
    console.print(f"{len(results) - failed} replayed, {failed} skipped")
    if failed:
        raise typer.Exit(1)


def _pick(letters: list[dlq.DeadLetter], refs: list[str], reason: str | None = None) -> list[dlq.DeadLetter]:
    try:
        return dlq.select(letters, refs, reason)
    except LookupError as e:
        console.print(str(e), style="red", markup=False)
        raise typer.Exit(1) from e
