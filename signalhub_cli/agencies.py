"""`signalhub agencies add|list|revoke` and `signalhub roles add|list|revoke`: the Kafka principals of
agencies and of the hub's own processes, with their ACLs (`signalhub.kafka_access`).

Both run as the broker's super user: SIGNALHUB_KAFKA_USERNAME=admin and its password (the local
broker writes them to `var/kafka/admin.env`). A new password is printed once and kept nowhere.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TypeVar

import typer
from kafka.errors import KafkaError
from rich.console import Console

from signalhub import agency_clients, kafka_access
from signalhub.domain.vocabulary import Agency
from signalhub.settings import AGENCIES, KafkaSettings, Settings

app = typer.Typer(no_args_is_help=True, help="Kafka credentials and ACLs of the agencies.")
roles_app = typer.Typer(no_args_is_help=True, help="Kafka credentials and ACLs of the hub's processes.")
console = Console()
SECTION_TITLES = {
    "kafka-python": "# ----- kafka-python -----",
    "librdkafka": "# ----- librdkafka / kcat config file (kcat -F <file>) -----",
    "java": "# ----- Java client properties -----",
}
T = TypeVar("T")


def _admin() -> KafkaSettings:
    return Settings().kafka


def _print(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


@app.command("add")
def add(
    agency: Agency = typer.Option(..., help="The agency whose system connects."),
    bootstrap: str | None = typer.Option(None, help="The broker address the agency reaches (default: ours)."),
) -> None:
    """Create (or replace) the agency's SCRAM credential and ACLs; print its client settings once."""
    admin = _admin()
    password = _guarded(lambda: kafka_access.create_principal(admin, agency.value))
    client = agency_clients.AgencyClient(
        agency=agency.value,
        bootstrap_servers=bootstrap or admin.bootstrap_servers,
        password=password,
        ca_file=admin.ca_file,
        signal_topic=admin.signal_topic(agency.value),
        receipt_topic=admin.receipt_topic(agency.value),
    )
    _print(f"Kafka principal {agency.value} created; its password is shown only now.")
    _print(_grants_text(agency.value, admin))
    for key, render in (
        ("kafka-python", agency_clients.kafka_python),
        ("librdkafka", agency_clients.librdkafka),
        ("java", agency_clients.java),
    ):
        _print(SECTION_TITLES[key])
        _print(render(client))


@app.command("list")
def list_() -> None:
    """The agencies that have a Kafka credential."""
    admin = _admin()
    names = _guarded(lambda: kafka_access.principals(admin))
    for name in (n for n in names if n in AGENCIES):
        _print(f"{name}: {_grants_text(name, admin)}")


@app.command("revoke")
def revoke(agency: Agency = typer.Option(...)) -> None:
    """Remove the agency's credential and ACLs: its clients are refused from now on."""
    admin = _admin()
    existed = _guarded(lambda: kafka_access.revoke(admin, agency.value))
    _print(f"{agency.value}: {'revoked' if existed else 'had no credential (ACLs removed if any)'}")


@roles_app.command("add")
def add_role(
    role: list[str] = typer.Option(..., help=f"One of: {', '.join(kafka_access.HUB_ROLES)} (repeatable)."),
    password_env_prefix: str | None = typer.Option(
        None, help="Take each role's password from the variable <prefix><ROLE> instead of making one."
    ),
) -> None:
    """Create (or replace) hub processes' credentials and ACLs; print made passwords once."""
    for name in role:
        _check_role(name)
    admin = _admin()
    for name in role:
        given = os.environ.get(f"{password_env_prefix}{name.upper()}") if password_env_prefix else None
        if password_env_prefix and not given:
            _print(f"--password-env-prefix: {password_env_prefix}{name.upper()} is not set")
            raise typer.Exit(2)
        password = _guarded(functools.partial(kafka_access.create_principal, admin, name, given))
        _print(f"{name}: {_grants_text(name, admin)}")
        if not given:
            _print(f"SIGNALHUB_KAFKA_USERNAME={name}\nSIGNALHUB_KAFKA_PASSWORD={password}")


@roles_app.command("list")
def list_roles() -> None:
    """The hub roles that have a Kafka credential, with their ACLs."""
    admin = _admin()
    names = _guarded(lambda: kafka_access.principals(admin))
    for name in (n for n in names if n in kafka_access.HUB_ROLES):
        _print(f"{name}: {_grants_text(name, admin)}")


@roles_app.command("revoke")
def revoke_role(role: str = typer.Option(...)) -> None:
    _check_role(role)
    existed = _guarded(lambda: kafka_access.revoke(_admin(), role))
    _print(f"{role}: {'revoked' if existed else 'had no credential (ACLs removed if any)'}")


def _check_role(role: str) -> None:
    if role not in kafka_access.HUB_ROLES:
        _print(f"--role: must be one of {', '.join(kafka_access.HUB_ROLES)}")
        raise typer.Exit(2)


def _grants_text(principal: str, admin: KafkaSettings) -> str:
    return "may " + "; ".join(g.describe() for g in kafka_access.grants(principal, admin))


def _guarded(work: Callable[[], T]) -> T:
    """Run `work` against the broker; on refusal or no answer, say why and exit 1."""
    try:
        return work()
    except (KafkaError, OSError, ValueError, kafka_access.AccessError) as e:
        _print(f"failed: {type(e).__name__}: {e}")
        raise typer.Exit(1) from e
