"""`signalhub demo`: the whole hub on one machine with one command; `signalhub demo sink`: a webhook
receiver for alerts.

The demo starts the local Kafka broker (unless it already runs), creates the topics, migrates the
database (SQLite by default), creates three users with fresh passwords, starts intake, relay,
notifier (alerts go to a webhook sink inside the demo), scheduler and the web UI as `signalhub`
subprocesses, then the simulator at a gentle rate, and prints the URLs and logins. Ctrl-C (or
SIGTERM) stops every process it started and the broker only if it started it. Logs of the children
are in `<work-dir>/logs/`.

This module runs the demo and stops it; the bring-up steps are in `signalhub_cli.demo_setup`.
"""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console

from signalhub import broker
from signalhub.settings import REPO_ROOT, Settings
from signalhub_cli.demo_setup import PROCESSES, broker_up, child_env, create_users, prepare, start_processes
from signalhub_cli.demo_support import AlertSink, Child, Simulation, Supervisor, log_tail

app = typer.Typer(help="Run the whole hub locally with simulated signals (Ctrl-C stops it).")
console = Console()


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    rate: float = typer.Option(1.0, help="Simulated signals per second."),
    seed: int = typer.Option(1, help="Seed of the simulator."),
    api_port: int = typer.Option(8000, help="Port of the web UI and API."),
    metrics_port: int = typer.Option(
        9101, help="First of four /metrics ports: intake, relay, notifier, scheduler."
    ),
    sink_port: int = typer.Option(8099, help="Port of the demo's alert webhook sink."),
    work_dir: Path = typer.Option(REPO_ROOT / "var" / "demo", help="Logs, routing file, ground truth."),
) -> None:
    """Start everything, print where to look, run until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    signal.signal(signal.SIGTERM, _interrupt)
    settings = Settings()
    started_broker = broker_up(settings)
    sink: AlertSink | None = None
    supervisor: Supervisor | None = None
    ok = False
    try:
        sink = AlertSink("127.0.0.1", sink_port)
        sink.start()
        supervisor = Supervisor(
            work_dir / "logs", child_env(settings, work_dir, api_port, metrics_port, sink.port)
        )
        supervisor.own_env = prepare(settings)
        logins = create_users(supervisor.env)
        ok = start_processes(supervisor, api_port, metrics_port)
        if ok:
            simulation = Simulation(supervisor, rate, seed, work_dir / "truth", _simulator_failed)
            simulation.next_round()
            _banner(api_port, metrics_port, logins, work_dir)
            _watch(supervisor, sink, simulation)
            ok = False  # _watch returns only when a process of the hub died
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        console.print("stopping the demo ...")
        if supervisor is not None:
            supervisor.stop_all()
        if sink is not None:
            sink.stop()
        if started_broker:
            broker.down(settings.broker)
            console.print("Kafka broker stopped")
    if not ok:
        raise typer.Exit(1)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM ends the demo the way Ctrl-C does."""
    raise KeyboardInterrupt


def _banner(api_port: int, metrics_port: int, logins: list[tuple[str, str]], work_dir: Path) -> None:
    console.rule("signalhub demo is running")
    console.print(f"web UI        http://127.0.0.1:{api_port}/ui/")
    console.print(f"REST API docs http://127.0.0.1:{api_port}/docs")
    metrics = [f"{name} :{metrics_port + i}" for i, (name, _, _) in enumerate(PROCESSES)]
    console.print(f"metrics       http://127.0.0.1:<port>/metrics  ({', '.join(metrics)}, api :{api_port})")
    for username, password in logins:
        console.print(f"login         {username} / {password}", markup=False, highlight=False)
    console.print(f"logs          {work_dir / 'logs'}", markup=False, highlight=False)
    console.rule("Ctrl-C stops everything the demo started")


def _simulator_failed(child: Child) -> None:
    console.print(f"the simulator failed ({child.process.returncode}); log {child.log_path}:")
    console.print(log_tail(child.log_path), markup=False, highlight=False)


def _watch(supervisor: Supervisor, sink: AlertSink, simulation: Simulation) -> None:
    """Report alerts received every 15 s until Ctrl-C (KeyboardInterrupt) or a process dies."""
    last = -1
    next_report = time.monotonic() + 15
    while True:
        time.sleep(1.0)
        simulation.check()
        dead = [c for c in supervisor.exited() if c.name != "simulator"]
        if dead:
            for child in dead:
                console.print(f"{child.name} exited ({child.process.returncode}); log {child.log_path}:")
                console.print(log_tail(child.log_path), markup=False, highlight=False)
            return
        if time.monotonic() >= next_report:
            next_report += 15
            if sink.total() != last:
                last = sink.total()
                console.print(f"alerts delivered to the sink so far: {last}", highlight=False)


@app.command()
def sink(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8099, help="Port to listen on."),
) -> None:
    """Receive alert webhooks (any path), answer 200 and log only each alert's type."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    receiver = AlertSink(host, port, announce=True)
    console.print(f"alert sink listening on {host}:{receiver.port}", markup=False)
    try:
        receiver.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server.server_close()
