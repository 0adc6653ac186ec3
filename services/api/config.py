"""Settings of the API process (env prefix `SIGNALHUB_API_`)."""

from __future__ import annotations

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
    login_max_failures: int = 5
    login_window_s: float = 300.0
    metrics_refresh_s: float = 15.0
    dlq_limit: int = 200
