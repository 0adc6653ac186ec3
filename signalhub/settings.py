"""Settings from environment variables, one class per concern, each with its own prefix.

Nothing here is a module-level instance: every process builds a `Settings` in its composition
root and passes the parts down.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from signalhub.domain.priority import AckDeadlines
from signalhub.region import Region
from signalhub.signal_rules import SignalRules

AGENCIES: tuple[str, ...] = ("police", "health", "education", "guardianship", "social")

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shipped value of every secret setting: good for development only.
DEFAULT_SECRET = "change-me-in-production"  # noqa: S105 (the known placeholder, refused outside dev mode)


class KafkaSettings(BaseSettings):
    """Where the broker is, who this process is to it, and how topics are laid out.

    Every client speaks SASL_SSL with SCRAM-SHA-512: `username` and `password` are this process's
    own principal (one per hub role and per agency, see `signalhub.kafka_access`), `ca_file` the CA
    that signed the broker's certificate (None: the system's trust store).
    """

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    username: str = ""
    password: SecretStr = SecretStr("")
    ca_file: Path | None = REPO_ROOT / "var" / "kafka" / "tls" / "ca.pem"
    topic_prefix: str = ""
    partitions: int = 3
    # None: a replica on every broker up to three (production: 3, with min.insync.replicas=2).
    replication_factor: int | None = None
    retention_ms: int = 30 * 24 * 3600 * 1000
    dlq_retention_ms: int = 90 * 24 * 3600 * 1000
    client_id: str = "signalhub"
    # A group member that stops heartbeating (a killed process) keeps its partitions this long;
    # kafka-python 3's default is 45 s. Heartbeats go every fifth of it. The brokers must allow it
    # (group.min.session.timeout.ms, 6 s by default).
    session_timeout_ms: int = Field(default=10_000, gt=0)
    # What one fetch response may carry, in all and per partition: a consumer holds a response (and
    # the one it fetches ahead) in memory, so these bound a lagging consumer's memory. 4 MiB is a
    # few intake batches of 500 signals; a record larger than the bound still comes whole (the
    # broker returns a partition's first batch whatever its size). kafka-python's defaults (50 MiB)
    # and intake's former 64 MiB grew a lagging intake's heap by hundreds of MB (the soak).
    fetch_max_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    partition_fetch_max_bytes: int = Field(default=1024 * 1024, gt=0)

    def as_principal(self, username: str, password: str | SecretStr) -> KafkaSettings:
        """These settings, authenticating as another principal."""
        secret = password if isinstance(password, SecretStr) else SecretStr(password)
        return self.model_copy(update={"username": username, "password": secret})

    def environment(self) -> dict[str, str]:
        """The `SIGNALHUB_KAFKA_*` variables that give a child process these connection settings."""
        env = {
            "SIGNALHUB_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "SIGNALHUB_KAFKA_USERNAME": self.username,
            "SIGNALHUB_KAFKA_PASSWORD": self.password.get_secret_value(),
            "SIGNALHUB_KAFKA_TOPIC_PREFIX": self.topic_prefix,
        }
        if self.ca_file is not None:
            env["SIGNALHUB_KAFKA_CA_FILE"] = str(self.ca_file)
        return env

    def topic(self, name: str) -> str:
        """The full name of a topic; the prefix lets tests use fresh names."""
        return f"{self.topic_prefix}{name}"

    def signal_topic(self, agency: str) -> str:
        return self.topic(f"signals.{agency}")

    def receipt_topic(self, agency: str) -> str:
        return self.topic(f"receipts.{agency}")

    @property
    def dlq_topic(self) -> str:
        return self.topic("signals.dlq")

    @property
    def alert_topic(self) -> str:
        return self.topic("alerts.children-in-family")


class BrokerSettings(BaseSettings):
    """The local broker started by `signalhub broker up` (development, tests, demo): one node, or
    `nodes` of a KRaft cluster on loopback (`signalhub.broker_nodes`)."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_BROKER_", extra="ignore")

    port: int = 9092
    controller_port: int = 9093
    data_dir: Path = REPO_ROOT / "var" / "kafka"
    libs_dir: Path = REPO_ROOT / ".cache" / "kafka-libs"
    heap: str = "512m"
    start_timeout_s: float = 90.0
    stop_timeout_s: float = 30.0
    maven_repo_dir: Path = REPO_ROOT / ".cache" / "m2"
    # The super user's SCRAM password, used when the storage is first formatted; unset: a random
    # one, kept in `<data_dir>/admin.password`.
    admin_password: SecretStr | None = None
    # Host names the broker certificate names besides 127.0.0.1 and localhost.
    tls_hosts: tuple[str, ...] = ()
    # 1, or a cluster of 3 or more (node i on port + 2(i-1), controller_port + 2(i-1)).
    nodes: int = Field(default=1, ge=1)


class DatabaseSettings(BaseSettings):
    """The database: SQLite file by default, PostgreSQL when a URL says so."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_DB_", extra="ignore")

    url: str = f"sqlite:///{REPO_ROOT / 'var' / 'signalhub.db'}"
    echo: bool = False
    pool_size: int = 5


class Settings(BaseSettings):
    """Everything one process needs; built once in its composition root."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_", extra="ignore")

    region_code: str = "54"  # Novosibirsk region, where the simulated families live
    # The IANA zone people read times in; empty: the region's own, from signalhub/data/regions.csv.
    timezone: str = ""
    metrics_host: str = "127.0.0.1"  # 0.0.0.0 in containers, so Prometheus can scrape
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    broker: BrokerSettings = Field(default_factory=BrokerSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    # Development flag (the demo and the tests set it): lets the API, gateway and notifier start
    # with the shipped default secrets, which anyone can read in this repository.
    dev_mode: bool = False
    # Acknowledgement deadlines by priority (hours): intake writes each case's `ack_deadline`
    # from them, the scheduler raises `ack_overdue` when it passes, the UI counts down to it.
    ack_urgent_h: float = 1.0
    ack_high_h: float = 24.0
    ack_normal_h: float = 72.0
    # The oldest plausible `occurred_at` of a signal (days): replays of a year of signals pass,
    # a typo of the century does not.
    signal_max_age_days: int = 5 * 365 + 1

    def signal_rules(self) -> SignalRules:
        """The hub's bounds every edge validates signals with."""
        return SignalRules(region_code=self.region_code, max_age=timedelta(days=self.signal_max_age_days))

    def region(self) -> Region:
        """The served region with its time zone (adapters, pages, e-mails, scheduler, reports)."""
        return Region.of(self.region_code, self.timezone)

    def ack_deadlines(self) -> AckDeadlines:
        return AckDeadlines(
            urgent=timedelta(hours=self.ack_urgent_h),
            high=timedelta(hours=self.ack_high_h),
            normal=timedelta(hours=self.ack_normal_h),
        )

    def default_secrets(self, **others: SecretStr) -> list[str]:
        """The names of the secrets (`SIGNALHUB_SECRET_KEY` and `others`, named by their env
        variable) still at the shipped default; none in `dev_mode`."""
        secrets = {"SIGNALHUB_SECRET_KEY": self.secret_key, **others}
        if self.dev_mode:
            return []
        return [name for name, value in secrets.items() if value.get_secret_value() == DEFAULT_SECRET]
