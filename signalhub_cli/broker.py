"""`signalhub broker up|down|status`: the local Kafka broker, one node or a loopback cluster."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from signalhub import broker, broker_nodes
from signalhub.broker_tls import ca_file, ensure_tls
from signalhub.settings import BrokerSettings

app = typer.Typer(no_args_is_help=True, help="Start, stop and inspect the local Kafka broker.")
console = Console()


@app.command()
def up(
    nodes: int | None = typer.Option(
        None, min=1, help="Nodes of a KRaft cluster on loopback (3: replication 3, min.insync.replicas 2)."
    ),
) -> None:
    """Start the broker (fetching its jars once) and wait until it serves clients."""
    settings = BrokerSettings()
    settings = (
        broker_nodes.recorded(settings) if nodes is None else settings.model_copy(update={"nodes": nodes})
    )
    try:
        result = broker.up(settings)
    except broker.BrokerError as e:
        console.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from e
    where = broker.bootstrap_servers(settings)
    if result.already_running:
        console.print(f"Kafka broker already running on {where} (pid {result.pid})", markup=False)
    else:
        started = f"{settings.nodes} nodes" if settings.nodes > 1 else f"pid {result.pid}"
        console.print(f"Kafka broker started on {where} ({started}) in {result.seconds:.1f} s")
    console.print(f"data: {settings.data_dir}", markup=False, highlight=False)
    admin_env = broker.data_file(settings.data_dir.resolve(), "admin_env")
    console.print(f"SASL_SSL/SCRAM; super user's client settings: {admin_env}", markup=False, highlight=False)


@app.command()
def down() -> None:
    """Stop the broker (every node); its data are kept for the next `up`."""
    settings = broker_nodes.recorded(BrokerSettings())
    try:
        stopped = broker.down(settings)
    except broker.BrokerError as e:
        console.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from e
    console.print("Kafka broker stopped" if stopped else "Kafka broker was not running")


@app.command()
def status() -> None:
    """Say whether the broker runs; exit 1 when it does not."""
    state = broker.status(broker_nodes.recorded(BrokerSettings()))
    if not state.running:
        down = [str(i + 1) for i, pid in enumerate(state.pids) if pid is None]
        which = f"node(s) {', '.join(down)} down" if len(state.pids) > 1 else "not running"
        console.print(f"Kafka broker {which} (data: {state.data_dir})", markup=False)
        raise typer.Exit(1)
    pids = ", ".join(str(pid) for pid in state.pids)
    console.print(f"Kafka broker running on {state.bootstrap_servers} (pid {pids})", markup=False)
    console.print(f"data: {state.data_dir}", markup=False, highlight=False)


@app.command()
def tls(
    directory: Path = typer.Option(..., "--dir", help="Where to write ca.pem, ca.key and broker.pem."),
    host: list[str] = typer.Option([], help="A host name clients reach the broker by (repeatable)."),
    owner: int | None = typer.Option(None, help="Give the private files to this uid (the broker's user)."),
) -> None:
    """Make a CA and a broker certificate (PEM) unless they exist: docker-compose's Kafka uses it."""
    ensure_tls(directory, host)
    if owner is not None:
        for name in ("ca.key", "broker.pem"):
            os.chown(directory / name, owner, owner)
    console.print(f"CA certificate for clients: {ca_file(directory)}", markup=False, highlight=False)
