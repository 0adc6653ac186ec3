"""Notifier settings (env prefix `SIGNALHUB_NOTIFIER_`); channels and routes live in a routing file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from consumers.notifier.routing import MAILBOX

EXAMPLE_ROUTING = Path(__file__).resolve().parent / "routing.example.toml"


class NotifierSettings(BaseSettings):
    """Where routes come from, how to reach SMTP, how hard to retry."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_NOTIFIER_", extra="ignore")

    routing_path: Path = EXAMPLE_ROUTING
    case_url_base: str = "http://127.0.0.1:8000/cases"
    webhook_secret: SecretStr = SecretStr("change-me-in-production")
    group_id: str = "notifier"

    # A failed delivery waits base*2^(n-1) s, at most `backoff_max_s`, times U(0.5, 1): a receiver
    # back from an outage has every alert within 30 s. 22 attempts keep the window before a row is
    # parked as long as it was with a 300 s cap and 10 attempts (ceilings add up to 511 s).
    max_attempts: int = 22
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    # A claimed batch is leased for `lease_s` and the lease is renewed every third of it while the
    # batch is sent: a killed notifier's rows are due again within `lease_s`.
    lease_s: float = 10.0
    http_timeout_s: float = 5.0
    # Deliveries of one claimed batch (distinct cases) sent at the same time per channel: one
    # receiver round trip per batch instead of one per alert (1 = one after another).
    send_concurrency: int = Field(default=8, ge=1, le=32)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 10.0
    mail_from: str = Field(default="signalhub@localhost", pattern=MAILBOX)

    # Workers wait this long between polls; on PostgreSQL they are woken by NOTIFY and poll only
    # every `listen_poll_interval_s` (retries and ended leases become due without a write).
    poll_interval_s: float = 0.05
    listen_poll_interval_s: float = 1.0
    batch_size: int = 100
    gauge_interval_s: float = 10.0
    metrics_port: int = 0
