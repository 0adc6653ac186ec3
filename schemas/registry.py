"""The `.avsc` files under `schemas/avro/<Name>/v<N>.avsc` are the source of truth.

Every version is kept; the newest is the one this code writes and reads into.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

AVRO_DIR = Path(__file__).resolve().parent / "avro"
_VERSION = re.compile(r"^v(\d+)\.avsc$")


@dataclass(frozen=True)
class SchemaVersion:
    """One version of one contract, with its CRC-64-AVRO fingerprint (8 bytes, little-endian)."""

    name: str
    version: int
    raw: dict[str, Any]
    parsed: Any
    fingerprint: bytes


def _load(name: str, version: int, path: Path) -> SchemaVersion:
    raw = json.loads(path.read_text(encoding="utf-8"))
    # fastavro's hex digest is the spec's little-endian byte order (checked against the spec's vectors).
    fp = bytes.fromhex(fingerprint(to_parsing_canonical_form(raw), "CRC-64-AVRO"))
    # Parsed with fastavro's "already parsed" mark: without it, every read and write of a message
    # parsed the whole schema again (measured on a benchmark signal: read 50 -> 20 us, write 50 -> 20 us).
    return SchemaVersion(name, version, raw, parse_schema(raw), fp)


@cache
def versions(name: str) -> tuple[SchemaVersion, ...]:
    """All versions of a contract, oldest first."""
    folder = AVRO_DIR / name
    found = []
    for path in folder.glob("v*.avsc"):
        match = _VERSION.match(path.name)
        if match:
            found.append(_load(name, int(match.group(1)), path))
    if not found:
        raise KeyError(f"no schema named {name!r} in {AVRO_DIR}")
    return tuple(sorted(found, key=lambda v: v.version))


def latest(name: str) -> SchemaVersion:
    return versions(name)[-1]


def contract_names() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in AVRO_DIR.iterdir() if p.is_dir()))


@cache
def by_fingerprint() -> dict[bytes, SchemaVersion]:
    """Every known schema version of every contract, by fingerprint."""
    return {v.fingerprint: v for name in contract_names() for v in versions(name)}
