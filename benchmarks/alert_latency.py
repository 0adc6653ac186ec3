"""End-to-end alert latency: a signal published -> its webhook received by the regional service.

Starts its own broker and PostgreSQL (ports of their own), a fresh database and topics, then runs
intake, relay and notifier as subprocesses (`signalhub ... run`), publishes new-family signals at a
steady rate and records when each case's first webhook arrives. Latency per signal = webhook
received - signal published (send time of the record). Prints p50, p90, p99 and max.

A ramp: every rate of `--rates` is run `--runs` times (a fresh database, topics and processes
each run), every run printed, then a table and a chart of p50/p99 against the rate (PNG, needs the
`bench` extra) with the first rate at which p99 exceeds 1 s. `--explain` loads pg_stat_statements
and prints, after each run, the top statements of each process by total time and by calls.

Every run is a new hub (fresh database, topics and processes), but the broker and the PostgreSQL
server are started once for all runs. So a `--warm-up` run (printed, left out of the table) goes
first: without it the first run alone met a broker just started, whose JVM was still compiling
(broker CPU 1.29-1.34 ms per signal in the first run against 0.80-1.12 ms in the next two, two sets
of three at 200/s), which no deployed hub meets (its brokers run on). Ten seconds were too few on
a slower machine: after them the broker still took 1.62 ms per signal in the first counted run,
against 0.96 and 0.67 ms in the next two, and that run's p99 was 534 ms against 247 and 203 ms;
after 60 s it took 1.00, 0.70 and 0.76 ms. `--warm-up 0` leaves it out.

    .venv/bin/python benchmarks/alert_latency.py [--rates 100,200,300,400] [--runs 3] [--seconds 30]
        [--warm-up 60] [--explain] [--chart var/alert-latency-ramp.png]
    .venv/bin/python benchmarks/alert_latency.py --rates 200 --runs 1 --seconds 10   # a quick look
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from pg_statements import as_role, report  # benchmarks/pg_statements.py
from population import family  # benchmarks/population.py
from proc_cpu import cpu_by_role, process_tree  # benchmarks/proc_cpu.py
from ramp_chart import draw, first_rate_over  # benchmarks/ramp_chart.py
from sqlalchemy import create_engine, text

from producers.publisher import headers_for
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.settings import REPO_ROOT, BrokerSettings
from signalhub.signals import RiskSignalModel
from tests.fixtures.pipeline import Brokers, Hub, Postgres
from tests.fixtures.receivers import WebhookSink

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


OUR_PG = "postgres (this benchmark's cluster)"
OUR_KAFKA = "kafka (this benchmark's broker)"


def cpu_seconds(procs: list[subprocess.Popen[bytes]], pg_pid: int, broker_pid: int) -> dict[str, float]:
    """CPU time (user + system) so far of the hub's processes, the benchmark's PostgreSQL and
    broker, every other PostgreSQL and Kafka of the machine (shared machines run others), and
    this process."""
    names = {p.pid: " ".join(map(str, p.args[1:3])) for p in procs}  # type: ignore[index]
    names |= dict.fromkeys(process_tree(pg_pid), OUR_PG) | {broker_pid: OUR_KAFKA}
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


def one_run(rate: float, seconds: float, brokers: Brokers, pg: Postgres, explain: bool) -> Run:
    """One run at `rate`: fresh topics, database and processes; prints its figures."""
    url = pg.fresh_database()
    receiver = WebhookSink()
    hub = Hub(brokers.admin, url, REPO_ROOT / "var" / "bench-alert-latency", webhook_url=receiver.url, smtp_port=None,
              region_code="31")  # fmt: skip
    if explain:
        hub.db_urls = {role: as_role(url, role) for role in ("intake", "relay", "notifier")}
    sent: dict[str, float] = {}
    began = time.monotonic()
    try:
        procs = [hub.start(name) for name in ("intake", "relay", "notifier")]
        time.sleep(8)  # processes join their groups
        total = int(rate * seconds)
        # Validated and encoded beforehand (an agency's system does that, not the hub's machine);
        # the timed phase only sends, at the rate, what the one publisher would send.
        kafka = hub.publisher_settings()
        codec, signals = Codec("RiskSignal"), [RiskSignalModel.from_avro(signal(n)) for n in range(total)]
        records = [
            (kafka.signal_topic(m.agency.value), m.source_record_id.encode(), codec.encode(m.to_avro()),
             headers_for(m), str(m.event_id))
            for m in signals
        ]  # fmt: skip
        producer = make_producer(kafka)
        pg_pid, broker_pid = pg.postmaster(), brokers.pid(0)
        cpu_before = cpu_seconds(procs, pg_pid, broker_pid)
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
            name: cpu_seconds(procs, pg_pid, broker_pid).get(name, 0.0) - used
            for name, used in cpu_before.items()
        }
        deadline = time.monotonic() + 60
        while not settled(url, total, len(first_seen(receiver))) and time.monotonic() < deadline:
            time.sleep(0.5)
        seen = first_seen(receiver)
        drained = time.monotonic() - start
        # Until the last webhook: a loaded machine leaves work past the window, so this is the
        # CPU per signal that noise changes little.
        cpu_all = {
            name: cpu_seconds(procs, pg_pid, broker_pid).get(name, 0.0) - used
            for name, used in cpu_before.items()
        }
        case_of, stages = stage_times(url, sent, seen)
        latencies = [seen[case_of[e]] - t for e, t in sent.items() if case_of.get(e, "") in seen]
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
            load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"CPU over the {cpu_window:.0f} s of publishing (2 cores = {2 * cpu_window:.0f} s; "
                  f"load average {load}), then until the last webhook ({drained:.0f} s) per signal:")  # fmt: skip
            for name, used in sorted(cpu_used.items(), key=lambda kv: -kv[1]):
                print(f"  {name}: {used:.1f} s; {cpu_all[name] / total * 1000:.2f} ms per signal")
            print(f"  intake batches: {intake_batches(url)}")
            for stage, values in stages.items():
                if values:
                    p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
                    print(f"  {stage}: p50 {p50:.0f} ms, p90 {percentile(values, 0.9) * 1000:.0f} ms, "
                          f"p99 {p99:.0f} ms")  # fmt: skip
        if explain:
            print(report(url, time.monotonic() - began))
        return result
    finally:
        hub.stop_all()
        receiver.close()
        pg.drop(url)


STAGES = (
    "publish -> intake batch",
    "intake batch -> relay published",
    "relay published -> notifier recorded",
    "notifier recorded -> webhook received",
)

# Per case: its signal's intake batch, its first alert's publication by the relay and its first
# delivery row (recorded by the notifier's consumer), from the database's own times.
_TIMES = text("""
    WITH published AS (
        SELECT key AS case_id, min(published_at) AS at FROM outbox_sent
        WHERE contract = 'CaseAlert' GROUP BY key
    ), recorded AS (
        SELECT case_id, min(created_at) AS at FROM deliveries_done GROUP BY case_id
    )
    SELECT s.event_id, s.case_id, s.received_at, p.at AS published_at, r.at AS recorded_at
    FROM signals s
    LEFT JOIN published p ON p.case_id = s.case_id
    LEFT JOIN recorded r ON r.case_id = s.case_id
    WHERE s.case_id IS NOT NULL
""")


def stage_times(
    url: str, sent: dict[str, float], seen: dict[str, float]
) -> tuple[dict[str, str], dict[str, list[float]]]:
    """Each signal's case, and the time each delivered signal spent in each stage (`STAGES`)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(_TIMES).all()
    engine.dispose()
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for r in rows:
        if r.event_id not in sent or r.case_id not in seen or r.published_at is None or r.recorded_at is None:
            continue
        marks = [sent[r.event_id], r.received_at.timestamp(), r.published_at.timestamp(),
                 r.recorded_at.timestamp(), seen[r.case_id]]  # fmt: skip
        for name, begin, end in zip(STAGES, marks, marks[1:], strict=False):
            stages[name].append(end - begin)
    return {r.event_id: r.case_id for r in rows}, stages


_CASES = text("SELECT count(*), count(DISTINCT case_id) FROM signals")
_BATCHES = text("SELECT count(DISTINCT received_at) FROM signals")  # one clock reading per batch


def intake_batches(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(_BATCHES).scalar_one())
    finally:
        engine.dispose()


def settled(url: str, total: int, cases_seen: int) -> bool:
    """Every signal is in the database and every case of theirs has had its webhook (signals of
    one family share a case, so there may be fewer cases than signals)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            signals, cases = conn.execute(_CASES).one()
    finally:
        engine.dispose()
    return bool(signals >= total and cases_seen >= cases)


def first_seen(receiver: WebhookSink) -> dict[str, float]:
    """When each case's first webhook arrived."""
    seen: dict[str, float] = {}
    for arrival in receiver.arrivals():
        seen.setdefault(arrival.case_id, arrival.at)
    return seen


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
        "--warm-up",
        type=float,
        default=60.0,
        help="seconds of a first, uncounted run at the first rate (0: none)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="top statements per process (pg_stat_statements)"
    )
    parser.add_argument("--chart", type=Path, default=Path("var/alert-latency-ramp.png"), help="PNG path")
    parser.add_argument("--no-chart", action="store_true")
    parser.add_argument("--pg-port", default="55436")
    parser.add_argument("--broker-port", type=int, default=29192)  # below the ephemeral range
    args = parser.parse_args()
    if not args.no_chart and find_spec("matplotlib") is None:  # known now, not after the last run
        parser.error("the chart needs matplotlib: pip install -e '.[bench]' (or --no-chart)")
    rates = [float(r) for r in args.rates.split(",")]
    os.chdir(REPO_ROOT)
    pg = Postgres(int(args.pg_port), statements=args.explain)
    brokers = Brokers(BrokerSettings(
        port=args.broker_port, controller_port=args.broker_port + 1,
        data_dir=REPO_ROOT / "var" / "bench-alerts-kafka",
    ))  # fmt: skip
    brokers.up()
    runs: list[Run] = []
    try:
        pg.up()
        if args.warm_up > 0:
            print(
                f"\n== warm-up: {rates[0]:.0f} signals/s for {args.warm_up:.0f} s (not counted) ==",
                flush=True,
            )
            one_run(rates[0], args.warm_up, brokers, pg, explain=False)
        for rate in rates:
            for n in range(args.runs):
                print(f"\n== {rate:.0f} signals/s, run {n + 1} of {args.runs} ==", flush=True)
                runs.append(one_run(rate, args.seconds, brokers, pg, args.explain))
                sys.stdout.flush()
        summary(runs, None if args.no_chart else args.chart)
    finally:
        pg.down()
        brokers.down()


if __name__ == "__main__":
    main()
