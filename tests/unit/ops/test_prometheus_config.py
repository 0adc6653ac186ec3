"""The Prometheus configuration as Prometheus itself reads it (`promtool`, Debian's `prometheus`)."""

from __future__ import annotations

import shutil
import subprocess

import yaml

from signalhub.settings import REPO_ROOT

PROMETHEUS = REPO_ROOT / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None, "promtool missing: deploy/system-deps.sh installs Debian's prometheus"
    return subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)


def test_rules_and_config_are_valid() -> None:
    for args in (("check", "rules", "rules.yml"), ("check", "config", "prometheus.yml")):
        done = _promtool(*args)
        assert done.returncode == 0, done.stdout + done.stderr


def test_alerts_fire_when_they_should_and_only_then() -> None:
    done = _promtool("test", "rules", "tests/rules_test.yml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_long_running_process_is_scraped() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    processes = ("intake", "relay", "notifier", "scheduler", "api", "gateway")
    assert jobs == {f"signalhub-{name}" for name in processes}
