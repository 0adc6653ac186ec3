"""Thin kafka-python wrappers: the one place that knows how the hub's clients and topics are set up.

Every client authenticates: `security` turns a `KafkaSettings` into the SASL_SSL/SCRAM-SHA-512
options each builder applies, so no client of the hub can be built open.

Nothing connects at import time; each function builds a client when called and the caller owns it
(close consumers and admins, flush and close producers on shutdown). Nothing here assumes a single
broker: partitions and replication come from `KafkaSettings`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from signalhub.settings import AGENCIES, KafkaSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    """How one hub topic is laid out."""

    name: str
    partitions: int
    replication_factor: int | None  # None: as many replicas as brokers, up to three
    retention_ms: int


SASL_MECHANISM = "SCRAM-SHA-512"


def security(settings: KafkaSettings) -> dict[str, Any]:
    """The kafka-python options that authenticate as `settings.username` over TLS."""
    if not settings.username:
        raise ValueError("SIGNALHUB_KAFKA_USERNAME is not set: every Kafka client authenticates (SCRAM)")
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": SASL_MECHANISM,
        "sasl_plain_username": settings.username,
        "sasl_plain_password": settings.password.get_secret_value(),
        "ssl_cafile": str(settings.ca_file) if settings.ca_file else None,
    }


def make_producer(settings: KafkaSettings, **overrides: Any) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas (`acks='all'`).

    A small linger batches bursts without adding visible latency; `overrides` win over defaults.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        **security(settings),
    }
    return KafkaProducer(**(config | overrides))


def make_consumer(
    settings: KafkaSettings, group_id: str | None, topics: Sequence[str], **overrides: Any
) -> KafkaConsumer:
    """A consumer subscribed to `topics` (none: assign partitions yourself) in `group_id`.

    Offsets are never committed behind the caller's back (`enable_auto_commit=False`): commit after
    the effects of a batch are durable. A group without committed offsets starts at the earliest.
    A fetch waits up to 25 ms for 64 KiB: under a steady trickle the broker answers a few dozen
    fetches a second instead of one per message (which cost the broker and the client more CPU
    than the messages themselves), for at most 25 ms more latency. A member that dies leaves the
    group after `settings.session_timeout_ms` (10 s), when the others take its partitions over.
    A fetch response carries at most `settings.fetch_max_bytes` (per partition
    `partition_fetch_max_bytes`), which bounds what a lagging consumer holds.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "fetch_min_bytes": 64 * 1024,
        "fetch_max_wait_ms": 25,
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": max(settings.session_timeout_ms // 5, 100),
        "fetch_max_bytes": settings.fetch_max_bytes,
        "max_partition_fetch_bytes": settings.partition_fetch_max_bytes,
        **security(settings),
    }
    return KafkaConsumer(*topics, **(config | overrides))


def make_admin(settings: KafkaSettings, **overrides: Any) -> KafkaAdminClient:
    """An admin client; it connects on creation and raises if no broker answers in time."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": settings.client_id,
        **security(settings),
    }
    return KafkaAdminClient(**(config | overrides))


def topic_specs(settings: KafkaSettings) -> list[TopicSpec]:
    """Every topic of the hub: signals and receipts per agency, the dead-letter and alert topics."""

    def spec(name: str, retention_ms: int = settings.retention_ms) -> TopicSpec:
        return TopicSpec(name, settings.partitions, settings.replication_factor, retention_ms)

    return [
        *(spec(settings.signal_topic(agency)) for agency in AGENCIES),
        spec(settings.dlq_topic, settings.dlq_retention_ms),
        *(spec(settings.receipt_topic(agency)) for agency in AGENCIES),
        spec(settings.alert_topic),
    ]


def create_topics(settings: KafkaSettings, timeout_s: float = 30.0) -> list[str]:
    """Create the hub's topics that do not exist yet; return the names created (maybe none).

    Idempotent: topics that already exist are left as they are (their layout is not checked).
    Returns once the created topics have a leader for every partition. Without a replication
    factor in the settings, a topic has a replica on every broker of the cluster up to three.
    """
    specs = topic_specs(settings)
    with closing(make_admin(settings)) as admin:
        brokers = len(admin.describe_cluster()["brokers"])
        return _create(admin, settings, specs, min(3, brokers), timeout_s)


def _create(
    admin: KafkaAdminClient, settings: KafkaSettings, specs: list[TopicSpec], replicas: int, timeout_s: float
) -> list[str]:
    request = {
        s.name: {
            "num_partitions": s.partitions,
            "replication_factor": s.replication_factor or replicas,
            "configs": {"retention.ms": str(s.retention_ms)},
        }
        for s in specs
    }
    response = admin.create_topics(request, timeout_ms=int(timeout_s * 1000), raise_errors=False)
    created = []
    for topic in response["topics"]:
        error = for_code(topic["error_code"])
        if topic["error_code"] == 0:
            created.append(topic["name"])
        elif error is not TopicAlreadyExistsError:
            raise error(f"creating topic {topic['name']}: {topic['error_message']}")
    if created:
        admin.wait_for_topics(created, timeout_ms=int(timeout_s * 1000))
    log.info("Topics created: %d of %d", len(created), len(specs))
    return sorted(created)


def wait_for_broker(settings: KafkaSettings, timeout_s: float = 30.0) -> None:
    """Return once a broker at `bootstrap_servers` answers a metadata request.

    Raises `TimeoutError` when none does within `timeout_s`.
    """
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while True:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        if remaining_ms <= 0:
            break
        try:
            with closing(make_admin(settings, bootstrap_timeout_ms=max(remaining_ms, 100))) as admin:
                admin.describe_cluster()
            return
        except (KafkaError, OSError) as e:
            last_error = e
            time.sleep(0.2)
    raise TimeoutError(
        f"no Kafka broker answered at {settings.bootstrap_servers} within {timeout_s:.0f} s: {last_error!r}"
    )
