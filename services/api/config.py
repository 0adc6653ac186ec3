"""Settings of the API process (env prefix `SIGNALHUB_API_`)."""

from __future__ import annotations

from pydantic import IPvAnyNetwork
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the workplace serves: address, cookies, sessions and the login rate limit.

    `https` marks cookies `Secure`: set it whenever the service is reached over HTTPS (behind a
    TLS-terminating proxy too).
    """

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    https: bool = False
    session_hours: float = 8.0
    # Failed logins allowed per window: per (username, address), and per address over all usernames
    # (password spraying); counted in the shared database.
    login_max_failures: int = 5
    login_max_failures_per_address: int = 20
    login_window_s: float = 300.0
    # Addresses (or networks) of the reverse proxies in front of the API: only their
    # X-Forwarded-For is read (JSON list, e.g. ["10.0.0.5", "172.18.0.0/16"]); none by default.
    trusted_proxies: list[IPvAnyNetwork] = []
    # The origin browsers reach the UI by when it differs from the request's own (behind a proxy),
    # e.g. "https://hub.example.ru"; a login whose Origin is neither is refused.
    public_origin: str | None = None
    metrics_refresh_s: float = 15.0
    dlq_limit: int = 200
