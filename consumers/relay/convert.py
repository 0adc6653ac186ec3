"""Outbox payloads (JSON-able dicts) -> Avro records ready for the `Codec`.

Writers store timestamps either as ISO 8601 strings or as epoch milliseconds; both are accepted
(so are `datetime` objects). Only the contract's own `timestamp-millis` fields are touched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from schemas.errors import SerializationError, SerializationReason
from schemas.registry import latest

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@cache
def timestamp_fields(contract: str) -> frozenset[str]:
    """Top-level fields of the newest version of `contract` whose type is (or may be) a timestamp."""
    found = set()
    for field in latest(contract).raw["fields"]:
        kinds = field["type"] if isinstance(field["type"], list) else [field["type"]]
        if any(isinstance(k, dict) and k.get("logicalType") == "timestamp-millis" for k in kinds):
            found.add(field["name"])
    return frozenset(found)


def to_timestamp(value: Any) -> datetime | int | None:
    """ISO string -> aware datetime (naive means UTC); int stays epoch ms; datetime and None pass."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a timestamp")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise TypeError(f"{type(value).__name__} is not a timestamp")


def to_record(contract: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of `payload` with the contract's timestamps made encodable.

    Raises `SerializationError` (naming the field, never its value) when a timestamp is unreadable.
    """
    record = dict(payload)
    for name in timestamp_fields(contract):
        if name in record:
            try:
                record[name] = to_timestamp(record[name])
            except (TypeError, ValueError):
                raise SerializationError(
                    SerializationReason.FIELD_ERROR, f"{contract}.{name} is not a timestamp"
                ) from None
    return record


def epoch_ms(moment: datetime) -> int:
    """An aware datetime as epoch milliseconds (the form our own writers store)."""
    return (moment - EPOCH) // timedelta(milliseconds=1)
