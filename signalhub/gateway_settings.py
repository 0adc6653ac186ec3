"""Settings of the HTTP signal gateway (env prefix `SIGNALHUB_GATEWAY_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from signalhub.settings import REPO_ROOT


class GatewaySettings(BaseSettings):
    """Where the agencies' API key hashes live, the body and rate limits, and where the gateway listens."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_GATEWAY_", extra="ignore")

    keys_file: Path = REPO_ROOT / "var" / "gateway-keys.json"
    max_body_bytes: int = 256 * 1024
    host: str = "127.0.0.1"
    port: int = 8081
    publish_timeout_s: float = 10.0
    # Requests a second per API key on average, and the burst allowed above it: generous for a
    # nightly export sent signal by signal, a brake on a client stuck in a loop.
    rate_per_s: float = 200.0
    rate_burst: int = 400
