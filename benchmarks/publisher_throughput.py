"""Throughput of the one publisher: signals/s, single process, real broker.

Starts its own single-node broker (free ports, data dir var/bench-publisher-kafka) unless
`--bootstrap` names a running one, creates fresh topics, generates simulator signals beforehand
(not timed), then times:
- `publish_many` in batches of `--batch` (validate + encode + send + await every ack);
- `publish` one at a time (each awaited before the next: latency-bound), on a smaller count;
- for reference, Kafka's own `org.apache.kafka.tools.ProducerPerformance` with records of the same
  average size, acks=all and idempotence (jars in .cache/kafka-libs), when java is available.

    .venv/bin/python benchmarks/publisher_throughput.py [--count 20000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import time
import uuid
from contextlib import closing
from pathlib import Path

from producers.publisher import Publisher
from producers.simulator.signals import generate_signals
from schemas.codec import Codec
from signalhub import broker
from signalhub.kafka import create_topics, make_admin
from signalhub.settings import REPO_ROOT, BrokerSettings, KafkaSettings
from signalhub.signals import RiskSignalModel, SignalRules


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed_batches(kafka: KafkaSettings, signals: list[RiskSignalModel], batch: int) -> float:
    with Publisher(kafka, rules=SignalRules(region_code="54")) as publisher:
        publisher.publish_many(signals[:10])  # connect and fetch metadata outside the timing
        started = time.perf_counter()
        for start in range(0, len(signals), batch):
            publisher.publish_many(signals[start : start + batch])
        return len(signals) / (time.perf_counter() - started)


def timed_single(kafka: KafkaSettings, signals: list[RiskSignalModel]) -> float:
    with Publisher(kafka, rules=SignalRules(region_code="54")) as publisher:
        publisher.publish(signals[0])
        started = time.perf_counter()
        for signal in signals:
            publisher.publish(signal)
        return len(signals) / (time.perf_counter() - started)


def java_client_config(kafka: KafkaSettings) -> Path:
    """The Java client's connection and SCRAM settings, in a file only we can read."""
    path = REPO_ROOT / "var" / f"bench-java-client-{os.getpid()}.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(
        f"bootstrap.servers={kafka.bootstrap_servers}\nsecurity.protocol=SASL_SSL\n"
        "sasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
        f'required username="{kafka.username}" password="{kafka.password.get_secret_value()}";\n'
        + (f"ssl.truststore.type=PEM\nssl.truststore.location={kafka.ca_file}\n" if kafka.ca_file else "")
    )
    return path


def java_reference(kafka: KafkaSettings, count: int, size: int) -> str:
    libs = REPO_ROOT / ".cache" / "kafka-libs"
    if shutil.which("java") is None or not any(libs.glob("kafka-tools-*.jar")):
        return "ProducerPerformance: skipped (java or kafka-tools jar missing)"
    command = [
        "java", "-Xmx512m", "-cp", f"{libs}/*", "org.apache.kafka.tools.ProducerPerformance",
        "--topic", kafka.topic("bench.java"), "--num-records", str(count), "--record-size", str(size),
        "--throughput", "-1", "--producer.config", str(java_client_config(kafka)),
        "--producer-props", "acks=all", "enable.idempotence=true", "linger.ms=5",
    ]  # fmt: skip
    topic = {"num_partitions": kafka.partitions, "replication_factor": kafka.replication_factor}
    with closing(make_admin(kafka)) as admin:  # the broker does not auto-create topics
        admin.create_topics({kafka.topic("bench.java"): topic})
        admin.wait_for_topics([kafka.topic("bench.java")], timeout_ms=30_000)
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    summary = [line for line in done.stdout.splitlines() if "records sent" in line]
    if done.returncode != 0 or not summary:
        return f"ProducerPerformance failed: {(done.stdout + done.stderr)[-500:]}"
    rate = re.search(r"([\d.]+) records/sec", summary[-1])
    return (
        f"ProducerPerformance (Java client, {size}-byte records): {rate.group(1) if rate else '?'} records/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single", type=int, default=500, help="signals published one at a time")
    parser.add_argument("--bootstrap", help="use a running broker instead of starting one")
    args = parser.parse_args()

    print(f"generating {args.count} simulator signals ...", flush=True)
    signals = generate_signals(1, args.count)
    codec = Codec("RiskSignal")
    size = round(statistics.mean(len(codec.encode(s.to_avro())) for s in signals[:2000]))
    bsettings = None
    if args.bootstrap:
        bootstrap = args.bootstrap
    else:
        data_dir = REPO_ROOT / "var" / "bench-publisher-kafka"
        bsettings = BrokerSettings(port=free_port(), controller_port=free_port(), data_dir=data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
        broker.up(bsettings)
    # Our own broker: its super user; another one: the SIGNALHUB_KAFKA_* credentials of the environment.
    base = broker.admin_settings(bsettings) if bsettings else KafkaSettings(bootstrap_servers=bootstrap)
    kafka = base.model_copy(update={"topic_prefix": f"bench{uuid.uuid4().hex[:8]}."})
    try:
        create_topics(kafka)
        batched = timed_batches(kafka, signals, args.batch)
        single = timed_single(kafka, signals[: args.single])
        print(
            f"signals: {args.count}, average encoded size {size} bytes, topics of {kafka.partitions} partitions"
        )
        print(f"publish_many (batches of {args.batch}): {batched:,.0f} signals/s", flush=True)
        print(f"publish (one at a time, each ack awaited): {single:,.0f} signals/s", flush=True)
        print(java_reference(kafka, args.count * 5, size))
    finally:
        if bsettings is not None:
            broker.down(bsettings)


if __name__ == "__main__":
    main()
