"""End-to-end alert latency: a signal published -> its webhook received by the regional service.

Starts its own broker and PostgreSQL (ports of their own), a fresh database and topics, then runs
intake, relay and notifier as subprocesses (`signalhub ... run`), publishes new-family signals at a
steady rate and records when each case's first webhook arrives. Latency per signal = webhook
received - signal published (send time of the record). Prints p50, p90, p99 and max.

    .venv/bin/python benchmarks/alert_latency.py [--rate 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from producers.publisher import Publisher
from signalhub import broker
from signalhub.domain.identifiers import snils_check_digits
from signalhub.kafka import create_topics
from signalhub.settings import REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.store import migrate

SURNAMES = ["Иванова", "Петрова", "Сидорова", "Кузнецова", "Смирнова", "Попова", "Волкова", "Соколова"]
NAMES = ["Анна", "Мария", "Елена", "Ольга", "Дарья", "Ксения"]
PG_PORT = "55436"


def person(n: int, role: str, born: date) -> dict[str, Any]:
    nine = f"{200_000_000 + n:09d}"
    return {
        "role": role, "surname": random.choice(SURNAMES), "first_name": random.choice(NAMES),
        "patronymic": "Игоревна", "birth_date": born, "sex": "F", "snils": nine + snils_check_digits(nine),
        "birth_cert": None, "oms_policy": None,
    }  # fmt: skip


def signal(n: int) -> dict[str, Any]:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return {
        "event_id": str(uuid.uuid4()), "agency": "police", "source_system": "bench",
        "source_record_id": f"bench-{n}-{uuid.uuid4().hex[:6]}", "signal_type": "domestic_violence",
        "severity": "high", "occurred_at": at, "reported_at": at, "region_code": "31",
        "municipality_code": "14610000",
        "children": [person(2 * n, "child", date(2023, 1 + n % 12, 1 + n % 27))],
        "adults": [person(2 * n + 1, "mother", date(1990, 1 + n % 12, 1 + n % 27))],
        "address": None, "description": None, "reporter": None, "legal_basis": None,
    }  # fmt: skip


class Receiver:
    def __init__(self) -> None:
        self.first_seen: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                now = time.time()
                case_id = json.loads(body)["case_id"]
                with receiver.lock:
                    receiver.first_seen.setdefault(case_id, now)
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


PG_ENV = {**os.environ, "SIGNALHUB_PG_PORT": PG_PORT}


def _admin(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the cluster of `url` (outside a transaction)."""
    base = make_url(url)
    with psycopg.connect(
        host=base.host,
        port=base.port,
        user=base.username,
        password=base.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(statement.encode())


def fresh_database() -> str:
    up = subprocess.run(
        ["bash", "deploy/postgres/pg.sh", "up"], env=PG_ENV, capture_output=True, text=True, check=True
    )
    base = up.stdout.strip().splitlines()[-1]
    name = f"bench_{uuid.uuid4().hex[:10]}"
    _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    os.chdir(REPO_ROOT)
    broker_settings = BrokerSettings(
        port=39192, controller_port=39193, data_dir=REPO_ROOT / "var" / "bench-alerts-kafka"
    )
    broker.up(broker_settings)
    kafka = KafkaSettings(
        bootstrap_servers=broker.bootstrap_servers(broker_settings), topic_prefix=f"b{uuid.uuid4().hex[:8]}."
    )
    create_topics(kafka)
    url = fresh_database()
    receiver = Receiver()
    routing = Path(REPO_ROOT / "var" / f"bench-routing-{os.getpid()}.toml")
    routing.write_text(
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\n[[routes]]\nchannels = ["hook"]\n'
    )
    env = os.environ | {
        "SIGNALHUB_DB_URL": url,
        "SIGNALHUB_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "SIGNALHUB_KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "SIGNALHUB_NOTIFIER_ROUTING_PATH": str(routing),
        "SIGNALHUB_NOTIFIER_GROUP_ID": f"notifier-{uuid.uuid4().hex[:6]}",
    }
    cli = str(Path(sys.executable).with_name("signalhub"))
    log = open(REPO_ROOT / "var" / "bench-alert-latency.log", "w")  # noqa: SIM115
    procs = [
        subprocess.Popen([cli, *cmd], env=env, stdout=log, stderr=log)
        for cmd in (
            ["intake", "run", "--group", f"intake-{uuid.uuid4().hex[:6]}"],
            ["relay", "run"],
            ["notifier", "run"],
        )
    ]
    sent: dict[str, float] = {}
    try:
        time.sleep(8)  # processes join their groups
        total = int(args.rate * args.seconds)
        start = time.monotonic()
        with Publisher(kafka) as publisher:
            for n in range(total):
                pause = start + n / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                s = signal(n)
                sent[s["event_id"]] = time.time()
                publisher.send_async(s)
            publisher.flush()
        deadline = time.monotonic() + 60
        while len(receiver.first_seen) < total and time.monotonic() < deadline:
            time.sleep(0.5)
        engine = create_engine(url)
        with engine.connect() as conn:
            case_of: dict[str, str] = dict(
                conn.execute(text("SELECT event_id, case_id FROM signals WHERE case_id IS NOT NULL")).all()
            )
        engine.dispose()
        latencies = [
            receiver.first_seen[case_of[e]] - t
            for e, t in sent.items()
            if case_of.get(e, "") in receiver.first_seen
        ]
        print(f"signals published: {total} at {args.rate:.0f}/s for {args.seconds:.0f} s")
        print(f"webhooks received: {len(latencies)} (missing {total - len(latencies)})")
        if latencies:
            for label, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
                print(f"{label}: {percentile(latencies, q) * 1000:.0f} ms")
            print(f"max: {max(latencies) * 1000:.0f} ms")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        log.close()
        routing.unlink(missing_ok=True)
        _admin(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        subprocess.run(
            ["bash", "deploy/postgres/pg.sh", "down"], env=PG_ENV, capture_output=True, check=False
        )
        broker.down(broker_settings)


if __name__ == "__main__":
    main()
