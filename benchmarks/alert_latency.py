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
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from population import family  # benchmarks/population.py
from proc_cpu import cpu_by_role  # benchmarks/proc_cpu.py
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from producers.publisher import headers_for
from schemas.codec import Codec
from signalhub import broker
from signalhub.kafka import create_topics, make_producer
from signalhub.settings import REPO_ROOT, BrokerSettings
from signalhub.signals import RiskSignalModel
from signalhub.store import migrate

PG_PORT = "55436"
RNG = random.Random(5)


def signal(n: int) -> dict[str, Any]:
    """A signal about a new family (a mother and one to three children)."""
    members = family(RNG)
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return {
        "event_id": str(uuid.uuid4()), "agency": "police", "source_system": "bench",
        "source_record_id": f"bench-{n}-{uuid.uuid4().hex[:6]}", "signal_type": "domestic_violence",
        "severity": "high", "occurred_at": at, "reported_at": at, "region_code": "31",
        "municipality_code": "14610000",
        "children": [m for m in members if m["role"] == "child"],
        "adults": [m for m in members if m["role"] != "child"],
        "address": None, "description": None, "reporter": None, "legal_basis": None,
    }  # fmt: skip


class Receiver:
    def __init__(self) -> None:
        self.first_seen: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a service's endpoint would

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                now = time.time()
                case_id = json.loads(body)["case_id"]
                with receiver.lock:
                    receiver.first_seen.setdefault(case_id, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
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


def cpu_seconds(procs: list[subprocess.Popen[bytes]]) -> dict[str, float]:
    """CPU time (user + system) so far of the hub's processes, PostgreSQL, Kafka and this one."""
    names = {p.pid: " ".join(map(str, p.args[1:3])) for p in procs}  # type: ignore[index]
    return cpu_by_role(names, me="benchmark (sender, receiver)")


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
    kafka = broker.admin_settings(broker_settings).model_copy(
        update={"topic_prefix": f"b{uuid.uuid4().hex[:8]}."}
    )
    create_topics(kafka)
    url = fresh_database()
    receiver = Receiver()
    routing = Path(REPO_ROOT / "var" / f"bench-routing-{os.getpid()}.toml")
    routing.write_text(
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\n[[routes]]\nchannels = ["hook"]\n'
    )
    env = (
        os.environ
        | {
            "SIGNALHUB_DB_URL": url,
            **kafka.environment(),
            "SIGNALHUB_DEV_MODE": "1",
            "SIGNALHUB_REGION_CODE": "31",  # the region of the benchmark's signals
            "SIGNALHUB_NOTIFIER_ROUTING_PATH": str(routing),
            "SIGNALHUB_NOTIFIER_GROUP_ID": f"notifier-{uuid.uuid4().hex[:6]}",
        }
    )
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
        # Validated and encoded beforehand (an agency's system does that, not the hub's machine);
        # the timed phase only sends, at the rate, what the one publisher would send.
        codec, signals = Codec("RiskSignal"), [RiskSignalModel.from_avro(signal(n)) for n in range(total)]
        records = [
            (kafka.signal_topic(m.agency.value), m.source_record_id.encode(), codec.encode(m.to_avro()),
             headers_for(m), str(m.event_id))
            for m in signals
        ]  # fmt: skip
        producer = make_producer(kafka)
        cpu_before = cpu_seconds(procs)
        start = time.monotonic()
        for n, (topic, key, value, headers, event_id) in enumerate(records):
            pause = start + n / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent[event_id] = time.time()
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
        producer.close()
        cpu_window = time.monotonic() - start
        cpu_used = {name: cpu_seconds(procs).get(name, 0.0) - used for name, used in cpu_before.items()}
        deadline = time.monotonic() + 60
        while len(receiver.first_seen) < total and time.monotonic() < deadline:
            time.sleep(0.5)
        engine = create_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT event_id, case_id, received_at FROM signals WHERE case_id IS NOT NULL")
            ).all()
            relayed: dict[str, datetime] = dict(
                conn.execute(
                    text(
                        "SELECT key, min(published_at) FROM outbox WHERE contract = 'CaseAlert' GROUP BY key"
                    )
                ).all()
            )
        engine.dispose()
        case_of = {r.event_id: r.case_id for r in rows}
        stages: dict[str, list[float]] = {"publish -> intake batch": [], "intake batch -> relayed": [],
                                          "relayed -> webhook": []}  # fmt: skip
        for r in rows:
            if r.event_id in sent and r.case_id in receiver.first_seen and relayed.get(r.case_id):
                received, published = r.received_at.timestamp(), relayed[r.case_id].timestamp()
                stages["publish -> intake batch"].append(received - sent[r.event_id])
                stages["intake batch -> relayed"].append(published - received)
                stages["relayed -> webhook"].append(receiver.first_seen[r.case_id] - published)
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
            print(f"CPU over the {cpu_window:.0f} s of publishing (2 cores = {2 * cpu_window:.0f} s):")
            for name, used in sorted(cpu_used.items(), key=lambda kv: -kv[1]):
                print(f"  {name}: {used:.1f} s")
            for stage, values in stages.items():
                if values:
                    p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
                    print(f"  {stage}: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
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
