"""Avro single-object encoding: `C3 01`, the writer schema's 8-byte CRC-64-AVRO fingerprint, the body.

One codec per contract. Encoding uses the newest version; decoding finds the writer's schema by
fingerprint among every kept version and resolves it into the newest (the reader's) schema.
"""

from __future__ import annotations

import io
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from schemas.errors import SerializationError, SerializationReason
from schemas.registry import SchemaVersion, by_fingerprint, latest, versions

MAGIC = b"\xc3\x01"
HEADER_LEN = len(MAGIC) + 8


class Codec:
    """Encode and decode one contract (`RiskSignal`, `SignalReceipt`, `CaseAlert`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.writer: SchemaVersion = latest(name)
        self._known = {v.fingerprint for v in versions(name)}

    def encode(self, record: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        out.write(MAGIC)
        out.write(self.writer.fingerprint)
        try:
            schemaless_writer(out, self.writer.parsed, record, strict_allow_default=True)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            raise SerializationError(
                SerializationReason.FIELD_ERROR, f"record does not fit {self.name}: {_field_hint(e)}"
            ) from None
        return out.getvalue()

    def decode(self, data: bytes) -> dict[str, Any]:
        if len(data) < HEADER_LEN:
            if data[: len(MAGIC)] != MAGIC[: len(data)]:
                raise SerializationError(SerializationReason.WRONG_MAGIC, "not Avro single-object encoding")
            raise SerializationError(
                SerializationReason.TRUNCATED, f"{len(data)} bytes is shorter than the header"
            )
        if data[:2] != MAGIC:
            raise SerializationError(
                SerializationReason.WRONG_MAGIC, f"expected magic c301, found {data[:2].hex()}"
            )
        fp = data[2:HEADER_LEN]
        writer = by_fingerprint().get(fp)
        if writer is None:
            raise SerializationError(
                SerializationReason.UNKNOWN_FINGERPRINT, f"no known schema has fingerprint {fp.hex()}"
            )
        if fp not in self._known:
            raise SerializationError(
                SerializationReason.WRONG_SCHEMA, f"message is a {writer.name}, expected {self.name}"
            )
        body = io.BytesIO(data[HEADER_LEN:])
        try:
            record = schemaless_reader(body, writer.parsed, self.writer.parsed)
        except (EOFError, StopIteration, IndexError):
            raise SerializationError(
                SerializationReason.TRUNCATED, "body ends before the record does"
            ) from None
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as e:
            raise SerializationError(
                SerializationReason.FIELD_ERROR, f"body is not a valid {self.name}: {type(e).__name__}"
            ) from None
        if body.tell() != len(data) - HEADER_LEN:
            raise SerializationError(SerializationReason.FIELD_ERROR, "trailing bytes after the record")
        assert isinstance(record, dict)
        return record


def _field_hint(e: Exception) -> str:
    """Name the field without quoting its value (values may be personal data)."""
    text = str(e)
    # fastavro names the field path in its messages; drop anything after the first quote of a value.
    return text.split(" on field ")[-1][:200] if " on field " in text else type(e).__name__
