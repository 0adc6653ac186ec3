"""Bounds of the linkage's memo caches (`functools.lru_cache`): one home for them.

A long-running intake's memory should stop growing once its caches are full (the soak's rule:
no more than 10 % after minute 10). Measured in the soak at 50 signals/s (two intakes), per
intake: the person caches gain 3 000-6 000 entries a minute at ~5 KB each (a normalised person,
its blocking keys); the caches of names and pairs of values up to a few thousand a minute at
~0.2 KB. Records are met again within a batch and by the next few batches (a family's signals):
16 384 of them cost nothing measurable. The candidates of busy blocks are met again and again
across batches, so their cache is the one whose size buys intake CPU
(benchmarks/intake_throughput.py, 100 000 registry persons: 16 384 entries cost 12 % more intake
CPU per signal than 200 000, below the throughput floor), and it stays at 200 000: it fills for
about an hour at 50 signals/s (a few hundred MB), which the soak shows as growth.
"""

from __future__ import annotations

PERSONS = 16_384  # keyed by a record or a normalised person (normalised, blocking keys)
CANDIDATES = 200_000  # stored persons, normalised (every candidate of every batch)
VALUES = 32_768  # keyed by a name or a pair of values (phonetic keys, comparisons): ~7 MB when full
