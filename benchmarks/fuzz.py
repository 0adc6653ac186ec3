"""Fuzz whole intake at scale: N hostile messages (tests/fixtures/hostile.py, drawn by Hypothesis)
published to a real broker, taken by one intake process on PostgreSQL; prints what became of them.

    .venv/bin/python benchmarks/fuzz.py --n 100000 [--seed 13] [--batch 500]

Starts a private broker (var/bench-kafka) and uses the private PostgreSQL of deploy/postgres/pg.sh
(`SIGNALHUB_PG_PORT`; a new database per run, dropped at the end). The table: inputs sent,
accepted, duplicate, amended, dead-lettered by reason, crashes (must be 0), lost (inputs without
a receipt: must be 0) and intake restarts (must be 0). Exits 1 unless all three are 0.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import time
import uuid

import psycopg
from hypothesis import HealthCheck, given, seed, settings
from intake_throughput import drop_database  # benchmarks/intake_throughput.py
from sqlalchemy.engine import make_url

from signalhub import broker
from signalhub.kafka import create_topics
from signalhub.settings import REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.store import migrate
from tests.fixtures.fuzzing import run_intake
from tests.fixtures.hostile import Message, messages
from tests.fixtures.kafka import free_ports

ROUND = 5_000  # groups drawn per Hypothesis run (each run has its own seed)


def draw(n: int, first_seed: int) -> list[Message]:
    """At least `n` messages, then cut to `n`, from Hypothesis runs with seeds first_seed, +1, ..."""
    drawn: list[Message] = []
    round_seed = first_seed
    while len(drawn) < n:

        @seed(round_seed)
        @settings(max_examples=ROUND, database=None, deadline=None, suppress_health_check=list(HealthCheck))
        @given(messages())
        def collect(group: list[Message]) -> None:
            drawn.extend(group)

        collect()
        round_seed += 1
    return drawn[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000, help="hostile messages to send")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    started = time.monotonic()
    inputs = draw(args.n, args.seed)
    drawn_s = time.monotonic() - started
    print(f"drew {len(inputs)} messages in {drawn_s:.0f} s", flush=True)

    pg = subprocess.run(
        ["bash", str(REPO_ROOT / "deploy/postgres/pg.sh"), "up"], capture_output=True, text=True, check=True
    )
    base = make_url(pg.stdout.strip().splitlines()[-1])
    name = f"fuzz_{uuid.uuid4().hex[:8]}"
    admin = f"host={base.host} port={base.port} user={base.username} password={base.password} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    port, controller_port = free_ports()
    bsettings = BrokerSettings(
        port=port,
        controller_port=controller_port,
        data_dir=REPO_ROOT / "var" / "bench-kafka" / uuid.uuid4().hex[:8],
    )
    broker.up(bsettings)
    kafka = KafkaSettings(
        bootstrap_servers=broker.bootstrap_servers(bsettings), topic_prefix=f"f{uuid.uuid4().hex[:8]}."
    )
    try:
        migrate.upgrade(url)
        create_topics(kafka)
        tally = run_intake(kafka, url, inputs, batch_size=args.batch, idle_s=180)
    finally:
        broker.down(bsettings)
        shutil.rmtree(bsettings.data_dir, ignore_errors=True)
        drop_database(admin, name)

    print(f"kinds drawn: {dict(sorted(tally.kinds.items()))}")
    width = max(len(label) for label, _ in tally.rows())
    for label, value in tally.rows():
        print(f"{label:<{width}}  {value:>8}")
    print(
        f"publish + intake: {tally.seconds:.0f} s; drawing: {drawn_s:.0f} s; total {time.monotonic() - started:.0f} s"
    )
    if tally.lost:
        print(f"first lost: {tally.lost[:5]}")
    sys.exit(0 if tally.crashes == tally.restarts == len(tally.lost) == 0 else 1)


if __name__ == "__main__":
    main()
