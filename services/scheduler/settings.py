"""Scheduler settings (env prefix `SIGNALHUB_SCHEDULER_`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from signalhub.domain.priority import AckDeadlines


class SchedulerSettings(BaseSettings):
    """Deadlines, the region's time zone (for "the day before"), retention, and the loop interval."""

    model_config = SettingsConfigDict(env_prefix="SIGNALHUB_SCHEDULER_", extra="ignore")

    ack_urgent_h: float = 1.0
    ack_high_h: float = 24.0
    ack_normal_h: float = 72.0
    timezone: str = "Europe/Moscow"

    retention_enabled: bool = True
    retention_action: Literal["anonymise", "delete"] = "anonymise"
    signal_retention_days: int = 3 * 365
    closed_case_retention_days: int = 5 * 365
    retention_batch: int = 500

    interval_s: float = 60.0
    metrics_port: int = 0

    def ack_deadlines(self) -> AckDeadlines:
        return AckDeadlines(
            urgent=timedelta(hours=self.ack_urgent_h),
            high=timedelta(hours=self.ack_high_h),
            normal=timedelta(hours=self.ack_normal_h),
        )
