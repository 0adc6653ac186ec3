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
import sys
import time

from hypothesis import HealthCheck, given, seed, settings
from intake_throughput import bench_stack  # benchmarks/intake_throughput.py

from signalhub.kafka import create_topics
from tests.fixtures.fuzzing import run_intake
from tests.fixtures.hostile import Message, messages

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

    with bench_stack("f") as (url, kafka):
        create_topics(kafka)
        tally = run_intake(kafka, url, inputs, batch_size=args.batch, idle_s=180)

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
