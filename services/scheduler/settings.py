"""Scheduler settings (env prefix `SIGNALHUB_SCHEDULER_`)."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class SchedulerSettings(BaseSettings):
    """Retention and the loop interval. "The day before" a review is the region's day
    (`Settings.region().zone`).

    Acknowledgement deadlines are the hub's (`Settings.ack_*_h`): intake writes each case's
    `ack_deadline`, which the scheduler watches."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_SCHEDULER_", extra="ignore")

    retention_enabled: bool = True
    retention_action: Literal["anonymise", "delete"] = "anonymise"
    signal_retention_days: int = 3 * 365
    closed_case_retention_days: int = 5 * 365
    retention_batch: int = 500

    interval_s: float = 60.0
    metrics_port: int = 0
