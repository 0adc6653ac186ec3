"""``KeyIndex``: blocking key -> member positions, compact enough for a million persons.

Keys are kept as their 64-bit hashes (never the strings) in a sorted numpy array with the
members' positions beside them; keys added since the last compaction wait in a small dict and
are merged in (sorted, then inserted) once they are an eighth of the base. About 12 bytes a (key,
member) entry instead of a string, a list and a dict slot. In-memory only: ``hash`` of a string
is stable within one process, which is all an index rebuilt at each start needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["KeyIndex"]

_MIN_RECENT = 50_000


class KeyIndex:
    """Members (int positions) per key, in the order they were added, each at most once."""

    def __init__(self) -> None:
        self._hashes: npt.NDArray[np.int64] = np.empty(0, np.int64)
        self._members: npt.NDArray[np.int32] = np.empty(0, np.int32)
        self._recent: dict[int, list[int]] = {}
        self._recent_entries = 0

    def __len__(self) -> int:
        """Number of (key, member) entries."""
        return len(self._hashes) + self._recent_entries

    def add(self, key: str, member: int, *, check: bool = False) -> None:
        """Add ``member`` under ``key``; ``check`` skips a member already there (a joining record)."""
        h = hash(key)
        if check and member in self._block(h):
            return
        self._recent.setdefault(h, []).append(member)
        self._recent_entries += 1
        if self._recent_entries >= max(_MIN_RECENT, len(self._hashes) // 8):
            self._compact()

    def blocks(self, keys: Iterable[str]) -> dict[str, Sequence[int]]:
        """key -> its members, for those of ``keys`` that have any."""
        keys = list(keys)
        hashes = np.fromiter((hash(k) for k in keys), np.int64, len(keys))
        lows = np.searchsorted(self._hashes, hashes, "left").tolist()
        highs = np.searchsorted(self._hashes, hashes, "right").tolist()
        out: dict[str, Sequence[int]] = {}
        for key, h, low, high in zip(keys, hashes.tolist(), lows, highs, strict=True):
            recent = self._recent.get(h)
            if low < high:
                base = self._members[low:high].tolist()
                out[key] = base + recent if recent else base
            elif recent:
                out[key] = recent
        return out

    def _block(self, h: int) -> list[int]:
        low, high = (
            int(np.searchsorted(self._hashes, h, "left")),
            int(np.searchsorted(self._hashes, h, "right")),
        )
        members: list[int] = self._members[low:high].tolist()
        return members + self._recent.get(h, [])

    def _compact(self) -> None:
        count = self._recent_entries
        hashes = np.empty(count, np.int64)
        members = np.empty(count, np.int32)
        filled = 0
        for h, block in self._recent.items():
            hashes[filled : filled + len(block)] = h
            members[filled : filled + len(block)] = block
            filled += len(block)
        order = np.argsort(hashes, kind="stable")  # a key's recent members stay in insertion order
        hashes, members = hashes[order], members[order]
        at = np.searchsorted(self._hashes, hashes, "right")  # after the key's older members
        self._hashes = np.insert(self._hashes, at, hashes)
        self._members = np.insert(self._members, at, members)
        self._recent, self._recent_entries = {}, 0
