"""`signalhub topics create|list`: the hub's Kafka topics."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from signalhub import kafka
from signalhub.settings import KafkaSettings

app = typer.Typer(no_args_is_help=True, help="Create and list the hub's Kafka topics.")
console = Console()


@app.command()
def create(
    timeout: float = typer.Option(30.0, help="Seconds to wait for the broker."),
) -> None:
    """Create the topics that do not exist yet (signals, receipts, dead letters, alerts)."""
    settings = KafkaSettings()
    _await_broker(settings, timeout)
    created = kafka.create_topics(settings)
    for name in created:
        console.print(f"created {name}", markup=False)
    total = len(kafka.topic_specs(settings))
    console.print(f"{len(created)} created, {total - len(created)} already there")


@app.command("list")
def list_topics(
    timeout: float = typer.Option(30.0, help="Seconds to wait for the broker."),
) -> None:
    """List the topics on the broker (internal ones left out) with partitions and replicas."""
    settings = KafkaSettings()
    _await_broker(settings, timeout)
    with closing(kafka.make_admin(settings)) as admin:
        names = sorted(n for n in admin.list_topics() if not n.startswith("__"))
        described: list[dict[str, Any]] = admin.describe_topics(names) if names else []
    expected = {spec.name for spec in kafka.topic_specs(settings)}
    table = Table("topic", "partitions", "replicas", "hub")
    for topic in sorted(described, key=lambda t: str(t["name"])):
        partitions = topic["partitions"]
        replicas = len(partitions[0]["replica_nodes"]) if partitions else 0
        table.add_row(
            topic["name"], str(len(partitions)), str(replicas), "yes" if topic["name"] in expected else ""
        )
    console.print(table)
    missing = sorted(expected - set(names))
    if missing:
        console.print(f"missing: {', '.join(missing)} (run `signalhub topics create`)", markup=False)


def _await_broker(settings: KafkaSettings, timeout: float) -> None:
    try:
        kafka.wait_for_broker(settings, timeout)
    except TimeoutError as e:
        console.print(str(e), style="red", markup=False)
        raise typer.Exit(1) from e
