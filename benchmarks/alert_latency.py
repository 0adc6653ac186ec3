"""End-to-end alert latency: a signal published -> its webhook received by the regional service.

Starts its own broker and PostgreSQL (ports of their own), a fresh database and topics, then runs
intake, relay and notifier as subprocesses (`signalhub ... run`), publishes new-family signals at a
steady rate and records when each case's first webhook arrives. Latency per signal = webhook
received - signal published (send time of the record). Prints p50, p90, p99 and max.

A ramp: every rate of `--rates` is run `--runs` times (a fresh database, topics and processes
each run), every run printed, then a table and a chart of p50/p99 against the rate (PNG, needs the
`bench` extra) with the first rate at which p99 exceeds 1 s. `--explain` loads pg_stat_statements
and prints, after each run, the top statements of each process by total time and by calls.

    .venv/bin/python benchmarks/alert_latency.py [--rates 100,200,300,400] [--runs 3] [--seconds 30]
        [--explain] [--chart var/alert-latency-ramp.png]
    .venv/bin/python benchmarks/alert_latency.py --rates 200 --runs 1 --seconds 10   # a quick look
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from pg_statements import as_role, report  # benchmarks/pg_statements.py
from population import family  # benchmarks/population.py
from proc_cpu import cpu_by_role, process_tree  # benchmarks/proc_cpu.py
from ramp_chart import draw, first_rate_over  # benchmarks/ramp_chart.py
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from producers.publisher import headers_for
from schemas.codec import Codec
from signalhub import broker
from signalhub.kafka import create_topics, make_producer
from signalhub.settings import REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.signals import RiskSignalModel
from signalhub.store import migrate

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


def pg_up(env: dict[str, str]) -> str:
    up = subprocess.run(
        ["bash", "deploy/postgres/pg.sh", "up"], env=env, capture_output=True, text=True, check=True
    )
    return up.stdout.strip().splitlines()[-1]


def fresh_database(base: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


OUR_PG = "postgres (this benchmark's cluster)"


def postmaster(env: dict[str, str]) -> int:
    """The pid of the benchmark's PostgreSQL server (its data dir's postmaster.pid)."""
    status = subprocess.run(
        ["bash", "deploy/postgres/pg.sh", "status"], env=env, capture_output=True, text=True, check=True
    )
    data = status.stdout.split("data=")[1].split()[0]
    return int(Path(data, "postmaster.pid").read_text().split()[0])


def cpu_seconds(procs: list[subprocess.Popen[bytes]], pg_pid: int) -> dict[str, float]:
    """CPU time (user + system) so far of the hub's processes, the benchmark's PostgreSQL, every
    other PostgreSQL and Kafka of the machine (shared machines run others), and this process."""
    names = {p.pid: " ".join(map(str, p.args[1:3])) for p in procs}  # type: ignore[index]
    names |= dict.fromkeys(process_tree(pg_pid), OUR_PG)
    return cpu_by_role(names, me="benchmark (sender, receiver)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Run:
    rate: float
    sent: int
    received: int
    p50: float
    p90: float
    p99: float
    max: float
    pg_cpu: float


def start_processes(
    url: str, kafka: KafkaSettings, routing: Path, explain: bool, log: Any
) -> list[subprocess.Popen[bytes]]:
    env = (
        os.environ
        | {
            **kafka.environment(),
            "SIGNALHUB_DEV_MODE": "1",
            "SIGNALHUB_REGION_CODE": "31",  # the region of the benchmark's signals
            "SIGNALHUB_NOTIFIER_ROUTING_PATH": str(routing),
            "SIGNALHUB_NOTIFIER_GROUP_ID": f"notifier-{uuid.uuid4().hex[:6]}",
        }
    )
    cli = str(Path(sys.executable).with_name("signalhub"))
    commands = {
        "intake": ["intake", "run", "--group", f"intake-{uuid.uuid4().hex[:6]}"],
        "relay": ["relay", "run"],
        "notifier": ["notifier", "run"],
    }
    return [
        subprocess.Popen(
            [cli, *cmd],
            env=env | {"SIGNALHUB_DB_URL": as_role(url, name) if explain else url},
            stdout=log,
            stderr=log,
        )
        for name, cmd in commands.items()
    ]


def one_run(
    rate: float, seconds: float, admin: KafkaSettings, base_url: str, pg_pid: int, explain: bool
) -> Run:
    """One run at `rate`: fresh topics, database and processes; prints its figures."""
    kafka = admin.model_copy(update={"topic_prefix": f"b{uuid.uuid4().hex[:8]}."})
    create_topics(kafka)
    url = fresh_database(base_url)
    receiver = Receiver()
    routing = Path(REPO_ROOT / "var" / f"bench-routing-{os.getpid()}.toml")
    routing.write_text(
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\n[[routes]]\nchannels = ["hook"]\n'
    )
    log = open(REPO_ROOT / "var" / "bench-alert-latency.log", "a")  # noqa: SIM115
    procs = start_processes(url, kafka, routing, explain, log)
    sent: dict[str, float] = {}
    began = time.monotonic()
    try:
        time.sleep(8)  # processes join their groups
        total = int(rate * seconds)
        # Validated and encoded beforehand (an agency's system does that, not the hub's machine);
        # the timed phase only sends, at the rate, what the one publisher would send.
        codec, signals = Codec("RiskSignal"), [RiskSignalModel.from_avro(signal(n)) for n in range(total)]
        records = [
            (kafka.signal_topic(m.agency.value), m.source_record_id.encode(), codec.encode(m.to_avro()),
             headers_for(m), str(m.event_id))
            for m in signals
        ]  # fmt: skip
        producer = make_producer(kafka)
        cpu_before = cpu_seconds(procs, pg_pid)
        start = time.monotonic()
        for n, (topic, key, value, headers, event_id) in enumerate(records):
            pause = start + n / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent[event_id] = time.time()
            producer.send(topic, key=key, value=value, headers=headers)
        producer.flush()
        producer.close()
        cpu_window = time.monotonic() - start
        cpu_used = {
            name: cpu_seconds(procs, pg_pid).get(name, 0.0) - used for name, used in cpu_before.items()
        }
        deadline = time.monotonic() + 60
        while len(receiver.first_seen) < total and time.monotonic() < deadline:
            time.sleep(0.5)
        engine = create_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT event_id, case_id, received_at FROM signals WHERE case_id IS NOT NULL")
            ).all()
        engine.dispose()
        case_of = {r.event_id: r.case_id for r in rows}
        stages: dict[str, list[float]] = {"publish -> intake batch": [], "intake batch -> webhook": []}
        for r in rows:
            if r.event_id in sent and r.case_id in receiver.first_seen:
                received = r.received_at.timestamp()
                stages["publish -> intake batch"].append(received - sent[r.event_id])
                stages["intake batch -> webhook"].append(receiver.first_seen[r.case_id] - received)
        latencies = [
            receiver.first_seen[case_of[e]] - t
            for e, t in sent.items()
            if case_of.get(e, "") in receiver.first_seen
        ]
        print(f"signals published: {total} at {rate:.0f}/s for {seconds:.0f} s")
        print(f"webhooks received: {len(latencies)} (missing {total - len(latencies)})")
        nan = float("nan")
        p50, p90, p99 = (percentile(latencies, q) if latencies else nan for q in (0.5, 0.9, 0.99))
        result = Run(
            rate, total, len(latencies), p50, p90, p99, max(latencies, default=nan),
            cpu_used.get(OUR_PG, 0.0),
        )  # fmt: skip
        if latencies:
            print(f"p50: {result.p50 * 1000:.0f} ms, p90: {result.p90 * 1000:.0f} ms, "
                  f"p99: {result.p99 * 1000:.0f} ms, max: {result.max * 1000:.0f} ms")  # fmt: skip
            print(f"CPU over the {cpu_window:.0f} s of publishing (2 cores = {2 * cpu_window:.0f} s):")
            for name, used in sorted(cpu_used.items(), key=lambda kv: -kv[1]):
                print(f"  {name}: {used:.1f} s")
            for stage, values in stages.items():
                if values:
                    p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
                    print(f"  {stage}: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        if explain:
            print(report(url, time.monotonic() - began))
        return result
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        log.close()
        receiver.server.shutdown()
        routing.unlink(missing_ok=True)
        _admin(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def summary(runs: list[Run], chart: Path | None) -> None:
    print("\n| rate | run | received | p50 | p90 | p99 | max | PostgreSQL CPU |")
    print("|---|---|---|---|---|---|---|---|")
    p50s: dict[float, list[float]] = {}
    p99s: dict[float, list[float]] = {}
    for r in runs:
        n = len(p99s.setdefault(r.rate, [])) + 1
        p99s[r.rate].append(r.p99)
        p50s.setdefault(r.rate, []).append(r.p50)
        print(f"| {r.rate:.0f}/s | {n} | {r.received}/{r.sent} | {r.p50 * 1000:.0f} ms | {r.p90 * 1000:.0f} ms "
              f"| {r.p99 * 1000:.0f} ms | {r.max * 1000:.0f} ms | {r.pg_cpu:.1f} s |")  # fmt: skip
    over = first_rate_over(p99s)
    print(f"p99 first exceeds 1 s at: {f'{over:.0f}/s' if over else 'none of the rates run'}")
    if chart is not None:
        draw(p50s, p99s, chart, "signalhub: signal published -> webhook received")
        print(f"chart: {chart}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,200,300,400", help="signals per second, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per rate")
    parser.add_argument("--seconds", type=float, default=30.0, help="publishing time per run")
    parser.add_argument(
        "--explain", action="store_true", help="top statements per process (pg_stat_statements)"
    )
    parser.add_argument("--chart", type=Path, default=Path("var/alert-latency-ramp.png"), help="PNG path")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--pg-port", default="55436")
    parser.add_argument("--broker-port", type=int, default=39192)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    os.chdir(REPO_ROOT)
    pg_env = {**os.environ, "SIGNALHUB_PG_PORT": args.pg_port}
    if args.explain:
        pg_env["SIGNALHUB_PG_STATEMENTS"] = "1"
    broker_settings = BrokerSettings(
        port=args.broker_port, controller_port=args.broker_port + 1,
        data_dir=REPO_ROOT / "var" / "bench-alerts-kafka",
    )  # fmt: skip
    broker.up(broker_settings)
    admin = broker.admin_settings(broker_settings)
    runs: list[Run] = []
    try:
        base_url = pg_up(pg_env)
        pg_pid = postmaster(pg_env)
        for rate in rates:
            for n in range(args.runs):
                print(f"\n== {rate:.0f} signals/s, run {n + 1} of {args.runs} ==", flush=True)
                runs.append(one_run(rate, args.seconds, admin, base_url, pg_pid, args.explain))
                sys.stdout.flush()
        summary(runs, None if args.no_chart else args.chart)
    finally:
        subprocess.run(
            ["bash", "deploy/postgres/pg.sh", "down"], env=pg_env, capture_output=True, check=False
        )
        broker.down(broker_settings)


if __name__ == "__main__":
    main()
