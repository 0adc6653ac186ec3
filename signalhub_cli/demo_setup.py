"""The steps that bring the demo's hub up, in the order `signalhub demo` runs them.

The Kafka broker (started unless it runs), the environment every child process shares (broker,
database, ports, a routing file sending alerts to the demo's sink), topics and schema, a Kafka
principal with fresh password for each process that uses Kafka (the demo runs secured like any hub), the three
users with fresh passwords, then the hub's processes, each awaited until it answers its health
check. Each step reports its progress on the console. On failure `broker_up` prints why and
exits (`typer.Exit`), `create_users` prints and skips that user, `start_processes` prints the
process's log tail and returns False; the caller (`signalhub_cli.demo`) stops what was started.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import typer
from rich.console import Console

from signalhub import broker, kafka, kafka_access
from signalhub.kafka_libs import have_libs
from signalhub.settings import KafkaSettings, Settings
from signalhub.store import migrate
from signalhub_cli.demo_support import Supervisor, log_tail, signalhub_command, wait_http_ok

console = Console()

USERS = (  # login, role, municipality, the name pages show
    ("coordinator", "coordinator", None, "Иванова Мария Сергеевна"),
    ("curator", "curator", "50701000001", "Петров Алексей Викторович"),  # where most families live
    ("operator", "operator", None, "Смирнов Олег Игоревич"),
)
PROCESSES = (  # name, subcommand, how its metrics port is set: an env name, else `--metrics-port`
    ("intake", ["intake", "run"], None),
    ("relay", ["relay", "run"], "SIGNALHUB_RELAY_METRICS_PORT"),
    ("notifier", ["notifier", "run"], "SIGNALHUB_NOTIFIER_METRICS_PORT"),
    ("scheduler", ["scheduler", "run"], "SIGNALHUB_SCHEDULER_METRICS_PORT"),
)
# The Kafka principal each child runs as; the scheduler and the users command use no Kafka. The
# simulator stands for the five agencies' systems, so it publishes as the gateway does.
PRINCIPAL_OF = {
    "intake": "intake", "relay": "relay", "notifier": "notifier", "api": "api", "simulator": "gateway",
}  # fmt: skip


def broker_up(settings: Settings) -> bool:
    """Start the local broker unless it runs; True when this demo started it."""
    if not broker.status(settings.broker).running:
        fetch = "" if have_libs(settings.broker) else " (first fetching its jars with Maven, once)"
        console.print(f"starting Kafka{fetch} ...", markup=False)
    try:
        result = broker.up(settings.broker)
    except broker.BrokerError as e:
        console.print(str(e), style="red", markup=False, highlight=False)
        raise typer.Exit(1) from e
    state = "already running" if result.already_running else f"started in {result.seconds:.0f} s"
    console.print(f"Kafka {state} on {broker.bootstrap_servers(settings.broker)}", markup=False)
    return not result.already_running


def child_env(
    settings: Settings, work_dir: Path, api_port: int, metrics_port: int, sink_port: int
) -> dict[str, str]:
    """The environment of every child; writes `work_dir/routing.toml`, routing all alerts to the sink."""
    work_dir.mkdir(parents=True, exist_ok=True)
    routing = work_dir / "routing.toml"
    routing.write_text(
        'default_channels = ["demo-sink"]\n\n[channels.demo-sink]\ntype = "webhook"\n'
        f'url = "http://127.0.0.1:{sink_port}/alerts"\n\n[[routes]]\nchannels = ["demo-sink"]\n'
    )
    env = dict(os.environ)
    env |= {
        "SIGNALHUB_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers(settings.broker),
        "SIGNALHUB_KAFKA_CA_FILE": str(admin_settings(settings).ca_file),
        "SIGNALHUB_DEV_MODE": "1",
        "SIGNALHUB_DB_URL": settings.db.url,
        "SIGNALHUB_API_HOST": "127.0.0.1",
        "SIGNALHUB_API_PORT": str(api_port),
        "SIGNALHUB_NOTIFIER_ROUTING_PATH": str(routing),
        "SIGNALHUB_NOTIFIER_CASE_URL_BASE": f"http://127.0.0.1:{api_port}/ui/cases",
        "SIGNALHUB_SCHEDULER_INTERVAL_S": "15",
    }
    env |= {port_env: str(metrics_port + i) for i, (_, _, port_env) in enumerate(PROCESSES) if port_env}
    return env


def admin_settings(settings: Settings) -> KafkaSettings:
    """The local broker's super user, with the demo's topic prefix."""
    admin = broker.admin_settings(settings.broker)
    return admin.model_copy(update={"topic_prefix": settings.kafka.topic_prefix})


def prepare(settings: Settings) -> dict[str, dict[str, str]]:
    """Wait for the broker, create the missing topics and each child's Kafka principal (a new
    password every run), migrate the database; return each child's own environment."""
    admin = admin_settings(settings)
    kafka.wait_for_broker(admin, 60)
    created = kafka.create_topics(admin)
    console.print(f"topics: {len(created)} created")
    own_env = {}
    for child, principal in PRINCIPAL_OF.items():
        password = kafka_access.create_principal(admin, principal)
        own_env[child] = admin.as_principal(principal, password).environment()
    console.print(f"Kafka principals: {', '.join(sorted(set(PRINCIPAL_OF.values())))}", highlight=False)
    migrate.upgrade(settings.db.url)
    console.print("database schema up to date", highlight=False)
    return own_env


def create_users(env: dict[str, str]) -> list[tuple[str, str]]:
    """coordinator, curator and operator, each with a new password (an existing user is reset)."""
    logins = []
    for username, role, municipality, name in USERS:
        password = secrets.token_urlsafe(9)
        args = ["users", "add", "--username", username, "--role", role, "--password", password]
        args += ["--display-name", name]
        args += ["--municipality", municipality] if municipality else []
        done = subprocess.run(
            [*signalhub_command(), *args], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            console.print(f"could not create user {username}: `signalhub users add` failed", style="red")
            console.print(done.stderr[-2000:] or done.stdout[-2000:], markup=False, highlight=False)
            continue
        logins.append((username, password))
    return logins


def start_processes(supervisor: Supervisor, api_port: int, metrics_port: int) -> bool:
    """Start the hub's processes; True once each answers its health check."""
    checks = []
    for i, (name, command, port_env) in enumerate(PROCESSES):
        args = command if port_env else [*command, "--metrics-port", str(metrics_port + i)]
        checks.append((supervisor.start(name, args), f"http://127.0.0.1:{metrics_port + i}/readyz"))
    checks.append((supervisor.start("api", ["api", "serve"]), f"http://127.0.0.1:{api_port}/healthz"))
    for child, url in checks:
        if not wait_http_ok(url, 90, alive=child):
            console.print(f"{child.name} did not become ready ({url}); last lines of {child.log_path}:")
            console.print(log_tail(child.log_path), markup=False, highlight=False)
            return False
        console.print(f"{child.name} ready", highlight=False)
    return True
