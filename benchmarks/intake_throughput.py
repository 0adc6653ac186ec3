"""Intake throughput: signals/s end to end (topic -> committed case) on PostgreSQL, one process,
with a registry of 100 000 persons already loaded, printed beside the raw kafka-python consume
rate of the same messages in the same run.

    .venv/bin/python benchmarks/intake_throughput.py [--signals 20000] [--registry 100000] [--batch 1000]

Starts a private broker (var/bench-kafka) and uses the private PostgreSQL of deploy/postgres/pg.sh
(a new database per run, dropped at the end).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import logging
import os
import random
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from population import family  # benchmarks/population.py
from proc_cpu import cpu_by_role  # benchmarks/proc_cpu.py
from sqlalchemy import Table, insert, text

from consumers.intake.app import tune_gc
from consumers.intake.linking import normalised
from consumers.intake.loop import IntakeLoop
from consumers.intake.unit import IntakeConfig
from schemas.cloudevents import CloudEvent, to_headers
from schemas.codec import Codec
from signalhub.domain.linkage.blocking import blocking_keys
from signalhub.domain.linkage.config import default_config
from signalhub.domain.linkage.model import PersonRecord
from signalhub.kafka import create_topics, make_consumer, make_producer
from signalhub.metrics import Metrics
from signalhub.settings import AGENCIES, REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.signals import RiskSignalModel
from signalhub.store.base import make_engine
from signalhub.store.registry import Family, Person, PersonKey
from tests.fixtures.kafka import free_ports
from tests.fixtures.pipeline import Brokers, Postgres

TYPES = {"police": "domestic_violence", "health": "missed_checkups", "education": "prolonged_absence",
         "guardianship": "child_without_care", "social": "difficult_life_situation"}  # fmt: skip


def preload(url: str, families: list[list[dict[str, Any]]]) -> int:
    """Bulk insert the registry: families, persons and their blocking keys."""
    engine, now = make_engine(url), datetime.now(UTC)
    fams, persons, keys = [], [], []
    for members in families:
        fid = str(uuid.uuid4())
        fams.append({"id": fid, "created_at": now, "merged_into": None})
        for p in members:
            pid = str(uuid.uuid4())
            rec = PersonRecord(
                "", p["surname"], p["first_name"], p["patronymic"], p["birth_date"], p["sex"], p["snils"]
            )
            n = normalised(rec)
            persons.append({"id": pid, "family_id": fid, "surname": p["surname"], "first_name": p["first_name"],
                            "patronymic": p["patronymic"], "birth_date": p["birth_date"], "sex": p["sex"],
                            "snils": n.snils, "birth_cert": None, "address": None, "created_at": now,
                            "anonymised_at": None})  # fmt: skip
            keys += [{"key": k, "person_id": pid} for k in blocking_keys(n)]
    with engine.begin() as conn:
        for table, rows in (
            (cast(Table, Family.__table__), fams),
            (cast(Table, Person.__table__), persons),
            (cast(Table, PersonKey.__table__), keys),
        ):
            for i in range(0, len(rows), 20_000):
                conn.execute(insert(table), rows[i : i + 20_000])
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return len(persons)


def signal(rng: random.Random, members: list[dict[str, Any]]) -> dict[str, Any]:
    agency = rng.choice(AGENCIES)
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=rng.randint(1, 48))
    return {
        "event_id": str(uuid.uuid4()), "agency": agency, "source_system": f"{agency}-system",
        "source_record_id": uuid.uuid4().hex, "signal_type": TYPES[agency], "severity": rng.choice(["low", "medium", "high"]),
        "occurred_at": at, "reported_at": at, "region_code": "31", "municipality_code": "14610000",
        "children": [m for m in members if m["role"] == "child"], "adults": [m for m in members if m["role"] != "child"],
        "address": None, "description": None, "reporter": None, "legal_basis": None,
    }  # fmt: skip


@contextmanager
def bench_stack(prefix: str) -> Iterator[tuple[str, KafkaSettings]]:
    """A fresh database on the PostgreSQL of `SIGNALHUB_PG_PORT` and a private broker for one
    benchmark run (var/bench-kafka/<random>, free ports): (database URL, super-user settings with
    topics prefixed `prefix`<random>.); both are removed afterwards."""
    pg = Postgres(int(os.environ.get("SIGNALHUB_PG_PORT", "55432")))
    pg.up()
    url = pg.fresh_database()
    port, controller_port = free_ports()
    data_dir = REPO_ROOT / "var" / "bench-kafka" / uuid.uuid4().hex[:8]
    brokers = Brokers(BrokerSettings(port=port, controller_port=controller_port, data_dir=data_dir))
    brokers.up()
    try:
        yield url, brokers.admin.model_copy(update={"topic_prefix": f"{prefix}{uuid.uuid4().hex[:8]}."})
    finally:
        brokers.down()
        shutil.rmtree(data_dir, ignore_errors=True)
        pg.drop(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=20_000)
    parser.add_argument("--registry", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--profile", metavar="FILE", help="write cProfile stats of the intake loop (its thread CPU time) here"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    rng = random.Random(7)

    with bench_stack("b") as (url, kafka):
        registry: list[list[dict[str, Any]]] = []
        while sum(len(f) for f in registry) < args.registry:
            registry.append(family(rng))
        t = time.monotonic()
        loaded = preload(url, registry)
        print(f"registry: {loaded} persons preloaded in {time.monotonic() - t:.1f} s")

        create_topics(kafka)
        codec, producer = Codec("RiskSignal"), make_producer(kafka, linger_ms=20, batch_size=256 * 1024)
        for i in range(args.signals):  # half about registry families, half about new ones
            members = rng.choice(registry) if i % 2 == 0 else family(rng)
            s = RiskSignalModel.from_avro(signal(rng, members))
            event = CloudEvent(
                id=str(s.event_id), source=s.source_system, type=s.signal_type.value, time=datetime.now(UTC)
            )
            producer.send(kafka.signal_topic(s.agency.value), key=s.source_record_id.encode(),
                          value=codec.encode(s.to_avro()), headers=to_headers(event))  # fmt: skip
        producer.flush()
        producer.close()
        topics = [kafka.signal_topic(a) for a in AGENCIES]

        consumer = make_consumer(kafka, f"raw-{uuid.uuid4().hex[:6]}", topics, max_poll_records=args.batch,
                                 fetch_max_bytes=64 * 1024 * 1024)  # fmt: skip
        got, t = 0, time.monotonic()
        while got < args.signals:
            got += sum(len(v) for v in consumer.poll(timeout_ms=1000).values())
        raw_s = time.monotonic() - t
        consumer.close()

        engine, metrics, group = make_engine(url), Metrics(), f"intake-{uuid.uuid4().hex[:6]}"
        consumer = make_consumer(kafka, group, topics, max_poll_records=args.batch)  # intake's fetch sizes
        producer = make_producer(kafka)
        loop = IntakeLoop(
            consumer,
            producer,
            engine,
            IntakeConfig(kafka, "31", default_config()),
            metrics,
            group,
            args.batch,
        )
        stop = threading.Event()
        gc.collect()  # a new intake process holds no preloading garbage, nor its collection counts
        tune_gc()  # as the intake process does
        cpu_before = cpu_by_role()
        intake_cpu: list[float] = []
        profiler = cProfile.Profile(time.thread_time) if args.profile else None  # CPU time: load-proof

        def run(stop: threading.Event) -> None:
            start = time.thread_time()
            if profiler:
                profiler.runcall(loop.run, stop)
            else:
                loop.run(stop)
            intake_cpu.append(time.thread_time() - start)

        t = time.monotonic()
        runner = threading.Thread(target=run, args=(stop,))
        runner.start()
        while True:
            with engine.connect() as conn:
                done = conn.execute(text("SELECT count(*) FROM inbox")).scalar_one()
            if done >= args.signals or not runner.is_alive():
                break
            time.sleep(0.05)
        intake_s = time.monotonic() - t
        cpu_after = cpu_by_role()
        pg_cpu, kafka_cpu = (cpu_after.get(r, 0.0) - cpu_before.get(r, 0.0) for r in ("postgres", "kafka"))
        stop.set()
        runner.join()
        if profiler:
            profiler.dump_stats(args.profile)
        consumer.close(autocommit=False)
        producer.close()
        with engine.connect() as conn:
            cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
            persons = conn.execute(text("SELECT count(*) FROM persons")).scalar_one()
        engine.dispose()
        n = args.signals
        print(f"signals: {n}; batch {args.batch}; cases {cases}; persons now {persons}")
        print(f"raw kafka-python consume: {n / raw_s:,.0f} msg/s ({raw_s:.2f} s)")
        print(
            f"intake end to end:        {n / intake_s:,.0f} signals/s ({intake_s:.2f} s, includes group join)"
        )
        print(
            f"CPU per signal: intake thread {intake_cpu[0] / n * 1000:.3f} ms, "
            f"PostgreSQL {pg_cpu / n * 1000:.3f} ms, Kafka broker {kafka_cpu / n * 1000:.3f} ms"
        )


if __name__ == "__main__":
    main()
