"""Avro single-object encoding: `C3 01`, the writer schema's 8-byte CRC-64-AVRO fingerprint, the body.

One codec per contract. Encoding uses the newest version; decoding finds the writer's schema by
fingerprint among every kept version and resolves it into the newest (the reader's) schema.

Strict decoding: the body must be exactly the encoding of the record it decodes to (the codec
writes the decoded record again with the writer's schema and compares). fastavro's reader (1.13)
indexes enum symbols and union branches with the index read from the wire as a Python list
index, so a negative index (zigzag -1, -21) silently wraps to a symbol counted from the end
(`symbols[-1]`) where Apache avro (Python, Java) rejects the bytes; re-encoding gives the
canonical index, so such bytes never compare equal. An index past the end is an `IndexError`
in fastavro, reported as `field_error` (not `truncated`, which is kept for `EOFError`).
Every Avro writer we know (fastavro, Apache avro Python and Java's default encoder) writes the
canonical form, so valid messages pay one re-encoding (~20 us on a benchmark signal) and nothing else.
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
        body = data[HEADER_LEN:]
        record = self._read(body, writer)
        if _canonical(record, writer) != body:
            raise SerializationError(
                SerializationReason.FIELD_ERROR,
                "body is not the canonical encoding of its record (an enum or union index out of range, "
                "or trailing bytes)",
            )
        if writer.fingerprint != self.writer.fingerprint:
            record = self._read(body, writer, self.writer)
        assert isinstance(record, dict)
        return record

    def _read(self, body: bytes, writer: SchemaVersion, reader: SchemaVersion | None = None) -> Any:
        try:
            return schemaless_reader(io.BytesIO(body), writer.parsed, reader.parsed if reader else None)
        except (EOFError, StopIteration):
            raise SerializationError(
                SerializationReason.TRUNCATED, "body ends before the record does"
            ) from None
        except IndexError:
            raise SerializationError(
                SerializationReason.FIELD_ERROR, "an enum symbol or union branch index is out of range"
            ) from None
        except (ValueError, TypeError, KeyError, UnicodeDecodeError, OverflowError) as e:
            raise SerializationError(
                SerializationReason.FIELD_ERROR, f"body is not a valid {self.name}: {type(e).__name__}"
            ) from None


def _canonical(record: Any, writer: SchemaVersion) -> bytes:
    out = io.BytesIO()
    try:
        schemaless_writer(out, writer.parsed, record)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return b""
    return out.getvalue()


def _field_hint(e: Exception) -> str:
    """Name the field without quoting its value (values may be personal data)."""
    text = str(e)
    # fastavro names the field path in its messages; drop anything after the first quote of a value.
    return text.split(" on field ")[-1][:200] if " on field " in text else type(e).__name__
