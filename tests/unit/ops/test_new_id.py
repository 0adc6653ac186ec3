"""Row ids: random version-4 UUIDs, never repeated, not even by a forked child."""

from __future__ import annotations

import os
import uuid

from signalhub.store.base import new_id


def test_ids_are_version_4_uuids_and_unique() -> None:
    ids = [new_id() for _ in range(5000)]  # several refills of the random pool
    assert len(set(ids)) == len(ids)
    for text in ids[:600]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    new_id()  # the pool is filled in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send the next id and leave at once
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert uuid.UUID(child).version == 4
    assert child != new_id()
