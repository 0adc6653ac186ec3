"""Bounds of the linkage's memo caches (`functools.lru_cache`): one home for them.

Measured in the soak at 50 signals/s (two intakes), per intake: the person caches gain
3 000-6 000 entries a minute at ~5 KB each (a normalised person, its blocking keys); the caches
of names and pairs of values up to a few thousand a minute at ~0.2 KB. Bounds that fill within
ten minutes (16 384 persons, 32 768 values) cost intake CPU on a registry of 100 000 persons
(benchmarks/intake_throughput.py, quiet machine: 1.149 ms per signal against 1.089 ms; 16 384
stored candidates alone cost 12 %), below the throughput floor, so the caches keep their sizes
and fill for about an hour at 50 signals/s: a few hundred MB that the soak shows as growth.
"""

from __future__ import annotations

PERSONS = 200_000  # keyed by a record or a normalised person (normalised, blocking keys)
CANDIDATES = 200_000  # stored persons, normalised (every candidate of every batch)
VALUES = 262_144  # keyed by a name or a pair of values (phonetic keys, comparisons): ~50 MB when full
