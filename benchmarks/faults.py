"""Nothing lost, nothing doubled: the whole hub under steady traffic, one fault at a time, then
drained and reconciled against ground truth; prints one row per scenario.

Starts its own PostgreSQL (`--pg-port`) and broker (`--nodes 1` or a KRaft cluster of 3 on
loopback, replication 3, min.insync.replicas 2), then per scenario a fresh database and topics,
two intake processes, relay, notifier and scheduler (`signalhub ... run`, each its own principal),
a webhook and an SMTP receiver recording every delivery, and the simulator's traffic at `--rate`.
The fault comes after `--warmup` seconds; traffic goes on `--after` seconds after it ended.
Scenarios (the issue's durations times `--scale`):

  1 broker SIGKILL, restarted after 10 s      5 webhook 500 for 2 min, then 10 s answers for 1 min
  2 an intake SIGKILLed 5 times, 6 s apart     6 SMTP receiver down for 2 min
  3 relay SIGKILLed, then the notifier          7 an intake started and stopped every 10 s, 2 min
  4 PostgreSQL stopped 30 s; proxy cut 10 s     8 broker unreachable (SIGSTOP) for 30 s

Duplicate effects, lost signals and undelivered alerts must be 0 (exit 1 otherwise). Beside the
table, `--latency-rate` (default 200/s) runs the no-fault alert latency of
`benchmarks/alert_latency.py` once, so a regression shows next to the faults.

    .venv/bin/python benchmarks/faults.py [--scenarios 1,2,...,8] [--rate 100] [--nodes 1|3]
        [--warmup 15] [--after 20] [--scale 1.0] [--latency-rate 200 | --latency-rate 0]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from alert_latency import one_run  # benchmarks/alert_latency.py

from signalhub.settings import REPO_ROOT, BrokerSettings
from tests.fixtures.fault_harness import SCENARIOS, Timing, run_scenario
from tests.fixtures.pipeline import Brokers, Postgres
from tests.fixtures.reconcile import Row

HEADER = (
    "| scenario | published | receipts | in cases | dead-lettered | alerts committed | webhooks (unique) "
    "| e-mails (unique) | duplicate effects | lost | undelivered | recovery | p99 signal->webhook |"
)


def line(row: Row) -> str:
    recover = "not recovered" if row.recover_s is None else f"{row.recover_s:.0f} s"
    p99 = "-" if row.p99_ms is None else f"{row.p99_ms:.0f} ms"
    return (
        f"| {row.scenario} | {row.published} | {row.receipts} | {row.in_cases} | {row.dead_lettered} "
        f"| {row.alerts} | {row.webhooks} ({row.webhooks_unique}) | {row.emails} ({row.emails_unique}) "
        f"| {row.duplicates} | {row.lost} | {row.undelivered} | {recover} | {p99} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(map(str, SCENARIOS)), help="comma-separated numbers")
    parser.add_argument("--rate", type=float, default=100.0, help="signals per second")
    parser.add_argument("--nodes", type=int, default=1, help="broker nodes (1, or 3: a KRaft cluster)")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds of traffic before the fault")
    parser.add_argument("--after", type=float, default=20.0, help="seconds of traffic after the fault")
    parser.add_argument("--scale", type=float, default=1.0, help="fault durations times this")
    parser.add_argument("--latency-rate", type=float, default=200.0, help="no-fault latency run (0: none)")
    parser.add_argument("--pg-port", type=int, default=55451)
    # Below the ephemeral range (32768-60999 here): clients that reconnect to a killed broker's
    # port may be given that very port as their own, and the restarted broker cannot bind it.
    parser.add_argument("--broker-port", type=int, default=29292)
    args = parser.parse_args()
    os.chdir(REPO_ROOT)
    numbers = [int(n) for n in args.scenarios.split(",")]
    timing = Timing(warmup_s=args.warmup, after_s=args.after, scale=args.scale)
    data_dir = REPO_ROOT / "var" / f"bench-faults-kafka-{args.nodes}-{args.broker_port}"
    brokers = Brokers(BrokerSettings(port=args.broker_port, controller_port=args.broker_port + 1,
                                     data_dir=data_dir, nodes=args.nodes))  # fmt: skip
    pg = Postgres(args.pg_port)
    log_dir = REPO_ROOT / "var" / f"bench-faults-{args.nodes}-{args.broker_port}"
    rows: list[Row] = []
    brokers.up()
    try:
        pg.up()
        for number in numbers:
            print(
                f"== scenario {SCENARIOS[number][0]} ({args.nodes} broker node(s), {args.rate:.0f}/s)",
                flush=True,
            )
            rows.append(run_scenario(number, admin=brokers.admin, pg=pg, brokers=brokers, rate=args.rate,
                                     timing=timing, log_dir=log_dir))  # fmt: skip
            print(HEADER + "\n" + line(rows[-1]), flush=True)
        latency = None
        if args.latency_rate:
            latency = one_run(args.latency_rate, 30.0, brokers, pg, explain=False)
    finally:
        pg.down()
        brokers.down()
    print(
        f"\n{args.nodes} broker node(s), {args.rate:.0f} signals/s, fault durations x{args.scale:g}; logs: {log_dir}"
    )
    print(HEADER)
    print("|" + "---|" * HEADER.count(" | ") + "---|")
    for row in rows:
        print(line(row))
    if latency is not None:
        print(f"\nlatency under no fault, {latency.rate:.0f} signals/s for 30 s: p50 {latency.p50 * 1000:.0f} ms, "
              f"p99 {latency.p99 * 1000:.0f} ms, max {latency.max * 1000:.0f} ms ({latency.received}/{latency.sent} "
              "webhooks; target p99 <= 500 ms)")  # fmt: skip
    bad = [r for r in rows if r.duplicates or r.lost or r.undelivered]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
