"""`signalhub demo`: the whole hub on one machine with one command; `signalhub demo sink`: a webhook
receiver for alerts.

The demo starts the local Kafka broker (unless it already runs), creates the topics, migrates the
database (SQLite by default), creates three users with fresh passwords, starts intake, relay,
notifier (alerts go to a webhook sink inside the demo), scheduler and the web UI as `signalhub`
subprocesses, then the simulator at a gentle rate (a new seed each run, so each run brings new
families and cases), and prints the URLs, ports and logins. Ctrl-C (or SIGTERM, SIGHUP) stops every
process it started and the broker only if it started it, also when its output is piped and the
pipe's reader died with the same Ctrl-C. When the demo itself is killed, its children end too
(`demo_support.end_with_parent`), and a guard process stops the broker the demo started. Logs of
the children are in `<work-dir>/logs/`.

This module runs the demo and stops it; the bring-up steps are in `signalhub_cli.demo_setup`.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console

from signalhub import broker
from signalhub.settings import REPO_ROOT, Settings
from signalhub.shutdown import stop_on_signals
from signalhub_cli.demo_setup import PROCESSES, broker_up, child_env, create_users, prepare, start_processes
from signalhub_cli.demo_support import AlertSink, Child, Simulation, Supervisor, log_tail

app = typer.Typer(help="Run the whole hub locally with simulated signals (Ctrl-C stops it).")
console = Console()


@app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    rate: float = typer.Option(1.0, help="Simulated signals per second."),
    seed: int | None = typer.Option(None, help="Seed of the simulator (default: a new one each run)."),
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
    # SIGINT too: a demo started by a non-interactive shell (`make demo &`, a test harness)
    # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler, so Ctrl-C
    # or a supervisor's SIGINT never stopped it.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    settings = Settings()
    found_broker = broker.status(settings.broker).running
    sink: AlertSink | None = None
    supervisor: Supervisor | None = None
    guard: Child | None = None
    ok = False
    try:
        broker_up(settings)
        sink = AlertSink("127.0.0.1", sink_port)
        sink.start()
        supervisor = Supervisor(
            work_dir / "logs", child_env(settings, work_dir, api_port, metrics_port, sink.port)
        )
        if not found_broker:
            guard = supervisor.start("broker-guard", ["demo", "guard-broker"])
        supervisor.own_env = prepare(settings)
        logins = create_users(supervisor.env)
        ok = start_processes(supervisor, api_port, metrics_port)
        if ok:
            first_seed = seed if seed is not None else secrets.randbelow(1_000_000)
            simulation = Simulation(supervisor, rate, first_seed, work_dir / "truth", _simulator_failed)
            simulation.next_round()
            _banner(api_port, metrics_port, sink.port, first_seed, logins, work_dir)
            _watch(supervisor, sink, simulation)
            ok = False  # _watch returns only when a process of the hub died
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave processes behind, and neither
        # may a pipe whose reader the same Ctrl-C ended (`make demo | tee log`).
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        _say("stopping the demo ...")
        try:
            if supervisor is not None:
                if guard is not None:  # the demo stops the broker itself, after the hub's processes
                    supervisor.children.remove(guard)
                    guard.process.kill()
                    guard.process.wait(10)
                supervisor.stop_all()
        finally:
            if sink is not None:
                sink.stop()
            if not found_broker and broker.status(settings.broker).running:
                broker.down(settings.broker)
                _say("Kafka broker stopped")
    if not ok:
        raise typer.Exit(1)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    """SIGINT, SIGTERM and SIGHUP end the demo the way Ctrl-C does."""
    raise KeyboardInterrupt


def _say(text: str) -> None:
    """Print, or from now on print nowhere when the reader of our output is gone."""
    try:
        console.print(text, markup=False, highlight=False)
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@app.command("guard-broker", hidden=True)
def guard_broker() -> None:
    """Started by the demo when it started the broker: stops the broker when the demo dies without
    stopping it (the kernel sends this process SIGTERM then, see `end_with_parent`)."""
    # A handler, not a mask and sigwait: a mask covers only this thread, and threads that libraries
    # start at import (numpy's BLAS pool) would take the SIGTERM with its default action, ending this
    # process before it stops the broker. Python runs the handler in the main thread, whoever got it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C and a closed terminal: the demo stops the broker
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    demo_died = stop_on_signals(signals=(signal.SIGTERM,))
    while not demo_died.wait(1.0):
        pass
    time.sleep(5)  # the hub's processes, told as well, leave the broker first
    broker.down(Settings().broker)


def _banner(
    api_port: int, metrics_port: int, sink_port: int, seed: int, logins: list[tuple[str, str]], work_dir: Path
) -> None:
    console.rule("signalhub demo is running")
    console.print(f"web UI        http://127.0.0.1:{api_port}/ui/")
    console.print(f"REST API docs http://127.0.0.1:{api_port}/docs")
    for i, (name, _, _) in enumerate(PROCESSES):
        console.print(f"metrics       http://127.0.0.1:{metrics_port + i}/metrics  ({name})", highlight=False)
    console.print(f"metrics       http://127.0.0.1:{api_port}/metrics  (api)", highlight=False)
    console.print(
        f"webhook sink  http://127.0.0.1:{sink_port}/alerts  (alerts of the notifier)", highlight=False
    )
    console.print(f"simulator     seed {seed} (--seed {seed} repeats this run's families)", highlight=False)
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
