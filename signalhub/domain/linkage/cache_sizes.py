"""Bounds of the linkage's memo caches (`functools.lru_cache`): one home for them.

Measured in the soak at 50 signals/s (two intakes), per intake: the person caches gain
3 000-6 000 entries a minute at ~5 KB each (a normalised person, its blocking keys); the caches
of names and pairs of values up to a few thousand a minute at ~0.2 KB. Bounds that fill within
ten minutes (16 384 persons, 32 768 values) cost intake CPU on a registry of 100 000 persons
(benchmarks/intake_throughput.py, quiet machine: 1.149 ms per signal against 1.089 ms; 16 384
stored candidates alone cost 12 %), below the throughput floor, so the caches keep their sizes
and fill for about an hour at 50 signals/s: a few hundred MB that the soak shows as growth.

A process may set other bounds in its environment (`SIGNALHUB_LINKAGE_CACHE_PERSONS`,
`..._CANDIDATES`, `..._VALUES`), read once when the linkage is imported: less memory for more CPU,
or bounds that fill within the soak's warm-up (benchmarks/soak.py), so that growth after it is
not the caches filling.
"""

from __future__ import annotations

import os


def bound(name: str, default: int) -> int:
    value = os.environ.get(f"SIGNALHUB_LINKAGE_CACHE_{name}", "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"SIGNALHUB_LINKAGE_CACHE_{name} must be a positive whole number of entries")
    return int(value)


# keyed by a record or a normalised person (normalised, blocking keys)
PERSONS = bound("PERSONS", 200_000)
# stored persons, normalised (every candidate of every batch)
CANDIDATES = bound("CANDIDATES", 200_000)
# keyed by a name or a pair of values (phonetic keys, comparisons): ~50 MB when full
VALUES = bound("VALUES", 262_144)
