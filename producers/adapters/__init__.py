"""One adapter per agency source format: an agency's own export record -> `RiskSignalModel`.

Every adapter is an `Adapter` (see `base`); `ADAPTERS` maps a record type name to it and
`default_record_type(agency)` names each agency's usual export. Mapping tables (codes -> signal
types) are data files under `data/`, so they can be extended without touching code.
"""

from __future__ import annotations

from producers.adapters import education_attendance, education_report, guardianship, health, police, social
from producers.adapters.base import Adapter, AdapterError, event_id_for

__all__ = ["ADAPTERS", "Adapter", "AdapterError", "adapters_of", "default_record_type", "event_id_for"]

ADAPTERS: dict[str, Adapter] = {
    a.record_type: a
    for a in (
        police.ADAPTER,
        health.ADAPTER,
        education_attendance.ADAPTER,
        education_report.ADAPTER,
        guardianship.ADAPTER,
        social.ADAPTER,
    )
}


def adapters_of(agency: str) -> list[Adapter]:
    """The record types an agency exports, its usual one first."""
    return [a for a in ADAPTERS.values() if a.agency.value == agency]


def default_record_type(agency: str) -> str:
    found = adapters_of(agency)
    if not found:
        raise KeyError(f"no adapter for agency {agency!r}")
    return found[0].record_type
