"""docker-compose.yml, read as Docker would (no engine here): every hub service runs a real
`signalhub` subcommand with real options, every SIGNALHUB_* name is a real settings field, and the
monitoring services get the files they need."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
import typer.main
import yaml
from pydantic_settings import BaseSettings
from typer.core import TyperGroup

from signalhub.settings import REPO_ROOT
from signalhub_cli import app

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
HUB = sorted(name for name, spec in SERVICES.items() if spec.get("build"))
LONG_RUNNING = {"intake", "relay", "notifier", "scheduler", "api", "gateway"}


def resolve(args: list[str]) -> tuple[Any, list[str]]:
    """The command `signalhub ARGS` runs (typer's click objects), and the arguments left for it."""
    command: Any = typer.main.get_command(app)
    rest = list(args)
    while isinstance(command, TyperGroup) and rest and not rest[0].startswith("-"):
        found = command.commands.get(rest[0])
        assert found is not None, f"`signalhub {' '.join(args)}`: no subcommand {rest[0]!r}"
        command, rest = found, rest[1:]
    return command, rest


def settings_env_names() -> set[str]:
    """SIGNALHUB_* names of every pydantic-settings class in the code (imported to find them)."""
    for package in ("signalhub", "producers", "consumers", "services"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)
    names: set[str] = set()
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        prefix = str(cls.model_config.get("env_prefix") or "")
        if prefix.startswith("SIGNALHUB_"):
            names.update((prefix + field).upper() for field in cls.model_fields)
    return names


def test_every_long_running_process_and_both_one_shot_jobs_are_there() -> None:
    assert set(HUB) >= LONG_RUNNING | {"db-migrate", "topics"}
    assert {"kafka", "postgres", "prometheus", "grafana"} <= set(SERVICES)


@pytest.mark.parametrize("service", HUB)
def test_command_is_a_real_signalhub_subcommand(service: str) -> None:
    args = [str(a) for a in SERVICES[service]["command"]]
    command, rest = resolve(args)
    assert not isinstance(command, TyperGroup) or command.invoke_without_command, f"{service}: a group"
    options = {opt for param in command.params for opt in getattr(param, "opts", [])}
    for token in rest:
        if token.startswith("--"):
            assert token.split("=")[0] in options, f"{service}: `{' '.join(args)}` has no option {token}"


@pytest.mark.parametrize("service", HUB)
def test_environment_names_are_real_settings(service: str) -> None:
    known = settings_env_names()
    for name in SERVICES[service].get("environment") or {}:
        if name.startswith("SIGNALHUB_"):
            assert name in known, f"{service}: {name} is no settings field"


def test_processes_start_after_schema_and_topics() -> None:
    for service in LONG_RUNNING:
        needs = SERVICES[service]["depends_on"]
        assert needs["db-migrate"]["condition"] == "service_completed_successfully", service
        assert needs["topics"]["condition"] == "service_completed_successfully", service


def test_prometheus_scrapes_the_ports_the_processes_serve() -> None:
    scrape = yaml.safe_load((REPO_ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t for job in scrape["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    for target in targets:
        service, port = target.split(":")
        spec = SERVICES[service]
        command = " ".join(str(a) for a in spec["command"])
        env = {str(v) for v in (spec.get("environment") or {}).values()}
        assert port in env or f"--metrics-port {port}" in command, target


def test_kafka_image_matches_the_broker_the_tests_run() -> None:
    pom = (REPO_ROOT / "deploy/kafka/pom.xml").read_text()
    version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    assert version is not None
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{version.group(1).strip()}"


def test_mounted_files_exist() -> None:
    for spec in SERVICES.values():
        for volume in spec.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), source
