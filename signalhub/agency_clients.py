"""What an agency's system needs to connect to the hub's Kafka: the same settings written for
kafka-python, for librdkafka (kcat, confluent-kafka, most non-Java clients) and for Java clients.

The texts hold the agency's password: `signalhub agencies add` prints them once and keeps nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from signalhub.kafka import SASL_MECHANISM


@dataclass(frozen=True)
class AgencyClient:
    """One agency's connection: where, who, and the CA that signed the broker's certificate."""

    agency: str
    bootstrap_servers: str
    password: str
    ca_file: Path | None
    signal_topic: str
    receipt_topic: str

    @property
    def receipt_group(self) -> str:
        # The agency's principal may use consumer groups named `<agency>*` only.
        return f"{self.agency}-receipts"


def kafka_python(c: AgencyClient) -> str:
    ca = f"    ssl_cafile={str(c.ca_file)!r},\n" if c.ca_file else ""
    common = (
        f"    bootstrap_servers={c.bootstrap_servers!r},\n"
        '    security_protocol="SASL_SSL",\n'
        f"    sasl_mechanism={SASL_MECHANISM!r},\n"
        f"    sasl_plain_username={c.agency!r},\n"
        f"    sasl_plain_password={c.password!r},\n"
        f"{ca}"
    )
    return (
        "from kafka import KafkaConsumer, KafkaProducer\n\n"
        f'producer = KafkaProducer(\n{common}    acks="all",\n    enable_idempotence=True,\n)\n'
        f"# producer.send({c.signal_topic!r}, key=..., value=..., headers=[...]).get(timeout=30)\n\n"
        f"receipts = KafkaConsumer(\n    {c.receipt_topic!r},\n{common}"
        f"    group_id={c.receipt_group!r},\n    enable_auto_commit=False,\n)\n"
    )


def librdkafka(c: AgencyClient) -> str:
    ca = f"ssl.ca.location={c.ca_file}\n" if c.ca_file else ""
    return (
        f"bootstrap.servers={c.bootstrap_servers}\n"
        "security.protocol=SASL_SSL\n"
        f"sasl.mechanisms={SASL_MECHANISM}\n"
        f"sasl.username={c.agency}\n"
        f"sasl.password={c.password}\n"
        f"{ca}"
        "enable.idempotence=true\n"
        f"group.id={c.receipt_group}\n"
    )


def java(c: AgencyClient) -> str:
    ca = f"ssl.truststore.type=PEM\nssl.truststore.location={c.ca_file}\n" if c.ca_file else ""
    return (
        f"bootstrap.servers={c.bootstrap_servers}\n"
        "security.protocol=SASL_SSL\n"
        f"sasl.mechanism={SASL_MECHANISM}\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{c.agency}" password="{c.password}";\n'
        f"{ca}"
        "enable.idempotence=true\n"
        "acks=all\n"
        f"group.id={c.receipt_group}\n"
    )
