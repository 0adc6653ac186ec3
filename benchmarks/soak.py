"""The soak: the fault harness's hub (two intakes, relay, notifier, scheduler, webhook and SMTP
receivers, simulator traffic) for `--minutes` at `--rate`, sampled every minute: each process's
resident memory and open file descriptors, its database connections (by `application_name`),
and the backlog (consumer lag of intake and notifier, outbox rows, pending deliveries).

The database starts with a registry of `--registry` persons (`REGISTRY`), and the processes reach
it directly (no proxy: the soak cuts no connection). The traffic brings new families for the first
`--new-families` minutes (the warm-up), then new signals about the same families (`NEW_FAMILIES`).
At `--bursts` minutes the publisher holds its signals back for `--burst-seconds`, then sends them
at once, so the intakes take full batches (see `BURSTS`).

Prints the samples as a table and draws them (PNG, matplotlib: `pip install -e '.[bench]'`), then
drains and reconciles as the harness does. Exits 1 when a hub process's memory at the end is more
than 10 % above its memory at minute 10 (the warm-up: caches, pools), when the backlog is not zero
once the traffic stopped, or when anything was lost, doubled or left undelivered.

    nice .venv/bin/python benchmarks/soak.py --minutes 60 --rate 50 [--chart var/soak.png]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from faults import HEADER, line  # benchmarks/faults.py
from intake_throughput import preload  # benchmarks/intake_throughput.py
from kafka import TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import text

from producers.simulator.people import generate_population
from signalhub.kafka import make_admin, make_consumer
from signalhub.settings import AGENCIES, REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.store.base import make_engine
from tests.fixtures.fault_harness import Rig, backlog, drain, running_hub
from tests.fixtures.pipeline import Brokers, Postgres
from tests.fixtures.reconcile import reconcile
from tests.fixtures.traffic import CHUNK

GROWTH_LIMIT = 1.10
WARM_UP_MINUTES = 10
# The intakes' linkage caches, bounded to fill within the warm-up, so that growth after it is not
# a cache filling: the production bounds fill for about an hour, and the soak is to show growth
# that has no bound. Measured per intake at 50 signals/s (two intakes): the person caches gain
# 3 000-6 000 entries a minute and fill 16 384 by minute 5; the caches of names and pairs of values
# gain 100-2 500 a minute each, so at 32 768 they were still filling at minute 15 (most of the
# ~5 MB a minute of growth seen), while the busy ones fill 4 096 within the warm-up and the rest
# (first names, patronymics) grow by a few hundred small entries a minute. An environment that sets
# them wins.
CACHE_BOUNDS = {"PERSONS": 16384, "CANDIDATES": 16384, "VALUES": 4096}
# Bursts: at each of these minutes the publisher holds its signals for `--burst-seconds`, then sends
# them at once (a nightly export), so the intakes take full batches. A full batch raises a process's
# heap to its high-water mark, which fragmentation keeps: the 60-minute soak of 2026-12-02 without
# bursts saw intake's RSS step up 8-12 MB after each backlog of 700-800 signals (minutes 33, 59).
# The first burst falls in the warm-up, so the base memory includes a full batch; the later ones
# show whether the mark ratchets up burst after burst. (Each burst added ~45-50 MB to each intake
# while the registry grew all the hour; see `NEW_FAMILIES`. With it steady after the warm-up, the
# minute-45 burst added 1.5-2 MB.)
BURSTS = (5, 25, 45)
# Persons in the registry before the traffic starts: a region's hub runs with a registry, and the
# candidates a batch loads grow with the blocks it reaches, so a soak from an empty database sees
# each burst's batches load more than the one before (the 2026-12-02 run: intake's RSS +17-30 MB at
# the minute-25 burst over the minute-5 one). The simulator's own population: its names fill the
# blocks the traffic reaches.
REGISTRY = 100_000
# Minutes in which the traffic brings new families; after them its signals are new records about
# the families it brought (`traffic.stream`'s populations, reused). A soak is to show growth that
# has no bound, and with new families all the hour the registry grew 100 981 -> 213 794 persons in
# 30 minutes (2026-12-02 07:14, 50 signals/s): months of a region's intake in one hour. The
# candidates a batch loads grew with it (the query keys of 300 recent persons: 8 924 candidate ids
# in the registry of minute 8, 17 831 in that of minute 28), and so did each burst's peak, which
# the intake keeps as its high-water mark: +50 MB at the minute-25 burst, as much as at the first.
# With the registry steady after the warm-up, what grows after it is what the soak is for.
NEW_FAMILIES = WARM_UP_MINUTES


def preload_registry(url: str, persons: int) -> int:
    """The simulator's population (another seed than the traffic's) as the registry: families,
    persons and their blocking keys."""
    population = generate_population(seed=7_777, families=int(persons / 3.6))
    families: dict[str, list[dict[str, Any]]] = {}
    for p in population.persons:
        families.setdefault(p.family_id, []).append(
            {"surname": p.surname, "first_name": p.first_name, "patronymic": p.patronymic,
             "birth_date": p.birth_date, "sex": p.sex, "snils": p.snils}
        )  # fmt: skip
    return preload(url, list(families.values()))


@dataclass(frozen=True)
class Sample:
    minute: float
    rss_mb: dict[str, float]
    fds: dict[str, int]
    connections: dict[str, int]
    lag: dict[str, int]  # intake, notifier (consumer lag), outbox, deliveries (rows to do)


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def consumer_lag(admin: KafkaSettings, group: str, topics: list[str]) -> int:
    """End offset minus committed offset, summed over the group's partitions of `topics`."""
    with closing(make_admin(admin)) as client, closing(make_consumer(admin, None, [])) as consumer:
        committed = client.list_group_offsets(group)[group]
        tps = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or [])]
        end = consumer.end_offsets(tps)
    return sum(max(end[tp] - (committed[tp].offset if tp in committed else 0), 0) for tp in tps)


def lag_or_unknown(admin: KafkaSettings, group: str, topics: list[str], attempts: int = 3) -> int:
    """`consumer_lag`, tried again when the broker is slow to answer; -1 when it never does (a
    sample must not end an hour's soak: the 60-minute run of 2026-12-01 died at minute 45 on an
    admin request that timed out on the loaded machine)."""
    for _ in range(attempts):
        try:
            return consumer_lag(admin, group, topics)
        except KafkaError:
            time.sleep(2.0)
    return -1


def connections(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(text(
                "SELECT application_name, count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1"
            )).all()  # fmt: skip
    finally:
        engine.dispose()
    return {str(name): int(n) for name, n in rows}


def sample(rig: Rig, brokers: Brokers, started: float) -> Sample:
    pids = rig.hub.pids() | {"kafka": brokers.pid(0)}
    admin = rig.hub.admin
    signals = [admin.signal_topic(a) for a in AGENCIES]
    events = len({(s.signal.agency.value, str(s.signal.event_id)) for s in rig.traffic.published()})
    _inbox, outbox, pending = backlog(rig.url, events)
    lag = {
        "intake": lag_or_unknown(admin, rig.hub.intake_group, signals),
        "notifier": lag_or_unknown(admin, rig.hub.notifier_group, [admin.alert_topic]),
        "outbox": outbox,
        "deliveries": pending,
    }
    return Sample(
        (time.monotonic() - started) / 60,
        {name: rss_mb(pid) for name, pid in pids.items()},
        {name: len(os.listdir(f"/proc/{pid}/fd")) for name, pid in pids.items()},
        connections(rig.url),
        lag,
    )


def table(samples: list[Sample]) -> None:
    names = sorted(samples[0].rss_mb)
    print(
        "| minute | "
        + " | ".join(f"{n} RSS MB / fds / conns" for n in names)
        + " | lag intake / notifier / outbox / deliveries |"
    )
    print("|---|" + "---|" * (len(names) + 1))
    for n, s in enumerate(samples):
        minute = "drained" if n == len(samples) - 1 else f"{s.minute:.0f}"
        cells = [f"{s.rss_mb.get(n, 0):.0f} / {s.fds.get(n, 0)} / {s.connections.get(n, 0)}" for n in names]
        lag = " / ".join(str(s.lag[k]) for k in ("intake", "notifier", "outbox", "deliveries"))
        print(f"| {minute} | " + " | ".join(cells) + f" | {lag} |")


def chart(samples: list[Sample], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 1, figsize=(10, 13), sharex=True)
    minutes = [s.minute for s in samples]
    panels = (("resident memory, MB", "rss_mb"), ("open file descriptors", "fds"),
              ("database connections", "connections"), ("backlog (lag, rows)", "lag"))  # fmt: skip
    for ax, (label, field) in zip(axes, panels, strict=True):
        series = sorted({k for s in samples for k in getattr(s, field)})
        for key in series:
            ax.plot(minutes, [getattr(s, field).get(key, 0) for s in samples], marker=".", label=key)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=3)
    axes[-1].set_xlabel("minute")
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def grown(samples: list[Sample], warm_up: float = WARM_UP_MINUTES) -> dict[str, float]:
    """Hub processes whose memory at the end exceeds `GROWTH_LIMIT` times their memory at the end
    of the warm-up (`warm_up` minutes, or half the run when shorter): name -> ratio."""
    base = min(samples, key=lambda s: abs(s.minute - min(warm_up, samples[-1].minute / 2)))
    last = samples[-1]
    ratios = {n: last.rss_mb[n] / base.rss_mb[n] for n in base.rss_mb if n != "kafka" and n in last.rss_mb}
    return {n: r for n, r in ratios.items() if r > GROWTH_LIMIT}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0, help="signals per second")
    parser.add_argument("--chart", type=Path, default=REPO_ROOT / "var" / "soak.png")
    parser.add_argument(
        "--warm-up", type=float, default=WARM_UP_MINUTES, help="minutes before memory is the base"
    )
    parser.add_argument(
        "--bursts", type=lambda v: tuple(int(m) for m in v.split(",") if m), default=BURSTS,
        help="minutes at which a burst begins (comma-separated; empty: none)",
    )  # fmt: skip
    parser.add_argument("--burst-seconds", type=float, default=60.0, help="signals held back per burst")
    parser.add_argument("--registry", type=int, default=REGISTRY, help="persons preloaded before the traffic")
    parser.add_argument(
        "--new-families", type=float, default=NEW_FAMILIES,
        help="minutes in which the traffic brings new families (then signals about the same ones)",
    )  # fmt: skip
    parser.add_argument("--pg-port", type=int, default=55452)
    parser.add_argument("--broker-port", type=int, default=29392)  # below the ephemeral range
    args = parser.parse_args()
    if find_spec("matplotlib") is None:  # known now, not after the hour
        parser.error("the chart needs matplotlib: pip install -e '.[bench]'")
    os.chdir(REPO_ROOT)
    for name, bound in CACHE_BOUNDS.items():  # the hub's processes inherit this environment
        os.environ.setdefault(f"SIGNALHUB_LINKAGE_CACHE_{name}", str(bound))
    brokers = Brokers(BrokerSettings(port=args.broker_port, controller_port=args.broker_port + 1,
                                     data_dir=REPO_ROOT / "var" / "bench-soak-kafka"))  # fmt: skip
    pg = Postgres(args.pg_port)
    brokers.up()
    try:
        pg.up()
        logs = REPO_ROOT / "var" / "bench-soak"
        populations = max(1, math.ceil(args.rate * 60 * args.new_families / CHUNK))
        with running_hub(
            brokers.admin, pg, rate=args.rate, log_dir=logs, direct=True, populations=populations
        ) as rig:
            if args.registry:
                print(f"registry: {preload_registry(rig.url, args.registry)} persons preloaded", flush=True)
            started = time.monotonic()
            rig.traffic.start()
            samples: list[Sample] = []
            for minute in range(1, int(args.minutes) + 1):
                if minute - 1 in args.bursts:
                    rig.traffic.hold(args.burst_seconds)
                time.sleep(max(0.0, started + 60 * minute - time.monotonic()))
                samples.append(sample(rig, brokers, started))
                print(f"minute {minute}: {samples[-1]}", flush=True)
            rig.traffic.stop()
            drained = drain(rig.url, rig.traffic, 600)
            samples.append(sample(rig, brokers, started))
            row = reconcile(f"soak {args.minutes:.0f} min", rig.traffic, rig.hub.admin, rig.url, rig.channels(),
                            fault_at=time.time())  # fmt: skip
    finally:
        pg.down()
        brokers.down()
    bounds = ", ".join(f"{n.lower()} {os.environ[f'SIGNALHUB_LINKAGE_CACHE_{n}']}" for n in CACHE_BOUNDS)
    print(
        f"\nsoak: {args.minutes:.0f} min at {args.rate:.0f} signals/s (linkage caches: {bounds}; bursts of"
        f" {args.burst_seconds:.0f} s held back at minutes {', '.join(map(str, args.bursts)) or 'none'};"
        f" registry preloaded: {args.registry} persons; new families for {args.new_families:.0f} min);"
        " last row: after the traffic stopped and drained"
    )
    table(samples)
    print(HEADER + "\n" + line(row))
    growth = grown(samples, args.warm_up)
    lag_left = {k: v for k, v in samples[-1].lag.items() if v}  # -1 (unknown) counts as left
    print(f"memory growth over {GROWTH_LIMIT - 1:.0%} after warm-up: {growth or 'none'}")
    print(f"backlog after the traffic stopped: {lag_left or 'zero'} (drained: {drained})", flush=True)
    chart(samples, args.chart, f"signalhub soak: {args.minutes:.0f} min at {args.rate:.0f} signals/s")
    print(f"chart: {args.chart}")
    sys.exit(1 if growth or lag_left or row.lost or row.duplicates or row.undelivered else 0)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
