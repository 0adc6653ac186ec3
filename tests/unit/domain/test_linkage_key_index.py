"""The compact key index keeps each key's members in insertion order, once each, across compactions."""

from __future__ import annotations

import random

import pytest

from signalhub.domain.linkage import key_index
from signalhub.domain.linkage.key_index import KeyIndex


def test_blocks_survive_compaction_in_insertion_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_index, "_MIN_RECENT", 7)  # compact often
    index, expected = KeyIndex(), dict[str, list[int]]()
    rng = random.Random(1)
    for member in range(500):
        for key in {f"k{rng.randrange(60)}" for _ in range(3)}:
            index.add(key, member)
            expected.setdefault(key, []).append(member)
    index.add("k1", expected["k1"][0], check=True)  # already there: not added twice
    assert index.blocks([*expected, "absent"]) == expected
    assert len(index) == sum(map(len, expected.values()))
