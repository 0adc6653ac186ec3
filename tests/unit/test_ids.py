"""`new_id`: random version-4 UUIDs in their canonical text form, as `str(uuid.uuid4())` gives."""

from __future__ import annotations

import os
import threading
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


def test_threads_and_forked_children_never_share_ids() -> None:
    """Ids come from per-thread pools of random bytes: a pool is never handed to two threads, and
    a forked child draws its own (else it would repeat the ids its parent makes next)."""
    new_id()  # this thread's pool now holds unused ids
    made: list[str] = []
    threads = [threading.Thread(target=lambda: made.extend(new_id() for _ in range(1000))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next ids and leave at once
        os.write(writer, " ".join(new_id() for _ in range(10)).encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    with os.fdopen(reader) as pipe:
        child = pipe.read().split()
    parent = [new_id() for _ in range(10)]
    ids = made + child + parent
    assert len(child) == 10
    assert len(set(ids)) == len(ids)
