"""`new_id`: random version-4 UUIDs in their canonical text form, as `str(uuid.uuid4())` gives."""

from __future__ import annotations

import uuid
from collections import Counter

from signalhub.store.base import new_id


def test_ids_are_canonical_random_version_4_uuids() -> None:
    ids = [new_id() for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # every variant nibble (8, 9, a, b) and every hex digit of the random part occur
    assert set(Counter(t[19] for t in ids)) == set("89ab")
    assert set("".join(t[24:] for t in ids[:200])) == set("0123456789abcdef")
