"""Per-agency API keys, stored only as SHA-256 hashes.

A key reads `shg_<key_id>_<secret>`: `key_id` (8 hex digits) finds the entry, the hash of the
whole key proves it. Secrets are 32 random bytes, so a fast hash is enough: nobody can guess
through 2^256 candidates, and a slow one (argon2) would cost every request ~50 ms for no gain.
Contracts:
- `add_key` returns the plain key once; only its hash reaches the file (written atomically, mode 0600).
- `KeyStore.agency_of(key)` returns the key's agency or None; it never raises on a malformed key
  and compares hashes in constant time. The store rereads the file when it changes, so a key added
  or revoked while the gateway runs takes effect on the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from signalhub.domain.vocabulary import Agency

PREFIX = "shg_"


@dataclass(frozen=True)
class KeyEntry:
    key_id: str
    agency: str
    sha256: str
    created_at: str
    label: str = ""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_entries(path: Path) -> list[KeyEntry]:
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [KeyEntry(**item) for item in data.get("keys", [])]


def _write_entries(path: Path, entries: list[KeyEntry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"keys": [asdict(e) for e in entries]}, handle, indent=2, ensure_ascii=False)
    os.replace(temp, path)


def add_key(path: Path, agency: Agency | str, label: str = "") -> str:
    """Create a key for `agency`, store its hash, return the key (shown once, never stored)."""
    agency_value = Agency(agency).value
    key_id = secrets.token_hex(4)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    created = datetime.now(UTC).isoformat(timespec="seconds")
    entries = read_entries(path)
    entries.append(KeyEntry(key_id, agency_value, _hash(key), created, label))
    _write_entries(path, entries)
    return key


def revoke_key(path: Path, key_id: str) -> bool:
    entries = read_entries(path)
    kept = [e for e in entries if e.key_id != key_id]
    if len(kept) != len(entries):
        _write_entries(path, kept)
    return len(kept) != len(entries)


def key_id_of(key: str) -> str | None:
    if not key.startswith(PREFIX):
        return None
    parts = key[len(PREFIX) :].split("_", 1)
    return parts[0] if len(parts) == 2 and len(parts[0]) == 8 else None


class KeyStore:
    """The keys file, reread whenever its modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._by_id: dict[str, KeyEntry] = {}

    def agency_of(self, key: str | None) -> str | None:
        if not key:
            return None
        key_id = key_id_of(key)
        if key_id is None:
            return None
        entry = self._entries().get(key_id)
        if entry is None or not hmac.compare_digest(entry.sha256, _hash(key)):
            return None
        return entry.agency

    def _entries(self) -> dict[str, KeyEntry]:
        try:
            stat = self.path.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._by_id = {e.key_id: e for e in read_entries(self.path)} if stamp else {}
            self._stamp = stamp
        return self._by_id
