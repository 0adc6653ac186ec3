"""Relay settings (env prefix `SIGNALHUB_RELAY_`)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class RelaySettings(BaseSettings):
    """How the relay waits: rows per batch and the pause when the outbox is empty.

    On PostgreSQL the relay listens for the writers' NOTIFY and wakes at once; it then polls only
    every `listen_poll_interval_s` (a fallback). On SQLite it polls every `poll_interval_s`.
    """

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_RELAY_", extra="ignore")

    batch_size: int = 500
    poll_interval_s: float = 0.05
    listen_poll_interval_s: float = 1.0
    send_timeout_s: float = 30.0
    pending_gauge_interval_s: float = 10.0
    source: str = "signalhub"
    metrics_port: int = 0
