"""The Kafka jars the local broker runs on: fetched once from Maven Central into `libs_dir`.

`deploy/kafka/pom.xml` pins the Kafka version; Maven copies that version's jars and their
dependencies into `libs_dir`, caching downloads under `maven_repo_dir`. The jar named after the
version marks a complete fetch: when it is present nothing is fetched again, and a version change
replaces every jar. `signalhub.broker` re-exports these names.
"""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

from signalhub.broker_process import BrokerError, absolute, locked
from signalhub.settings import REPO_ROOT, BrokerSettings

# One logger name for all of the local broker's messages, whichever module writes them.
log = logging.getLogger("signalhub.broker")

DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"


def have_libs(settings: BrokerSettings) -> bool:
    """Whether the jars of the pom's Kafka version are there (`ensure_libs` fetches nothing then)."""
    return _marker(absolute(settings).libs_dir).exists()


def _marker(libs: Path) -> Path:
    return libs / f"kafka_2.13-{kafka_version()}.jar"


def ensure_libs(settings: BrokerSettings) -> Path:
    """Make sure `libs_dir` holds the jars of the pom's Kafka version; run Maven once if not."""
    settings = absolute(settings)
    libs = settings.libs_dir
    marker = _marker(libs)
    libs.parent.mkdir(parents=True, exist_ok=True)
    with locked(libs.parent / f"{libs.name}.lock"):
        if marker.exists():
            return libs
        libs.mkdir(exist_ok=True)
        for stale in libs.glob("*.jar"):  # another version's jars would shadow the new ones
            stale.unlink()
        command = maven_command(settings)
        log.info("Fetching the Kafka jars with Maven into %s", libs)
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError as e:
            raise BrokerError("Maven (mvn) is needed once to fetch the Kafka jars; install it") from e
        if done.returncode != 0 or not marker.exists():
            output = (done.stdout + done.stderr)[-4000:]
            raise BrokerError(f"fetching the Kafka jars failed: {' '.join(command)}\n{output}")
        return libs


def maven_command(settings: BrokerSettings) -> list[str]:
    """The Maven call that copies the broker's jars into `libs_dir`, caching under `maven_repo_dir`."""
    return [
        "mvn", "-q", "-B", "-f", str(DEPLOY_DIR / "pom.xml"),
        f"-Dmaven.repo.local={settings.maven_repo_dir}",
        "dependency:copy-dependencies", f"-DoutputDirectory={settings.libs_dir}",
    ]  # fmt: skip


def kafka_version() -> str:
    """The Kafka version the pom pins."""
    found = re.search(r"<kafka.version>([^<]+)</kafka.version>", (DEPLOY_DIR / "pom.xml").read_text())
    if found is None:
        raise BrokerError("deploy/kafka/pom.xml names no kafka.version")
    return found.group(1).strip()
