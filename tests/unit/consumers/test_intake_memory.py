"""Intake's process-wide memory settings: malloc arenas and the linkage caches' bounds."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from signalhub.domain.linkage import cache_sizes

# Six threads each allocate a block large enough for malloc (not Python's small-object allocator)
# and hold it; glibc's malloc_stats() then lists one "Arena n:" per arena on stderr.
THREADS = """
import ctypes, threading
from consumers.intake.app import limit_malloc_arenas
if {limit}:
    limit_malloc_arenas()
held, barrier = [], threading.Barrier(6)
def work():
    held.append(bytearray(200_000))
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas(limit: bool) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", THREADS.format(limit=limit)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc arenas")
def test_intake_threads_share_two_malloc_arenas() -> None:
    """kafka-python's IO thread kept ~200 MB of freed fetch buffers in its own arena (the soak)."""
    assert arenas(limit=False) > 2
    assert arenas(limit=True) <= 2


def test_cache_bounds_come_from_the_environment_or_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALHUB_LINKAGE_CACHE_PERSONS", "8192")
    monkeypatch.delenv("SIGNALHUB_LINKAGE_CACHE_VALUES", raising=False)
    assert cache_sizes.bound("PERSONS", 200_000) == 8192
    assert cache_sizes.bound("VALUES", 262_144) == 262_144


@pytest.mark.parametrize("value", ["0", "-5", "many", "1.5"])
def test_a_cache_bound_that_is_not_a_positive_number_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SIGNALHUB_LINKAGE_CACHE_CANDIDATES", value)
    with pytest.raises(
        ValueError, match="SIGNALHUB_LINKAGE_CACHE_CANDIDATES must be a positive whole number"
    ):
        cache_sizes.bound("CANDIDATES", 200_000)
