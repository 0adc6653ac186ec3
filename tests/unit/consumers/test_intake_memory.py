"""Intake's process-wide memory settings: the linkage caches' bounds."""

from __future__ import annotations

import pytest

from signalhub.domain.linkage import cache_sizes


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
