"""The roles of the workplace's users (what each may see and do is `services.api.access`)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CURATOR = "curator"
    LIAISON = "liaison"
    OPERATOR = "operator"
