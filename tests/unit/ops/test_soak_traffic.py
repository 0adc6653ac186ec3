"""The soak's traffic: new families for a while, then new records about the same families."""

from __future__ import annotations

from itertools import islice

from tests.fixtures.traffic import CHUNK, stream

Child = tuple[str, str, object]  # surname, first name, birth date as the record has them


def _chunks(populations: int | None, n: int) -> list[list[tuple[Child, str]]]:
    signals = list(islice(stream(3, "54", populations), CHUNK * n))
    return [
        [
            ((c.surname, c.first_name, c.birth_date), str(s.signal.event_id))
            for s in signals[i * CHUNK : (i + 1) * CHUNK]
            for c in s.signal.children
        ]
        for i in range(n)
    ]


def test_reused_populations_bring_no_new_families_but_new_events() -> None:
    first, second, third = _chunks(2, 3)
    children = [{child for child, _ in chunk} for chunk in (first, second, third)]
    assert children[2] == children[0]  # chunk 2 is about population 0's children again
    assert len(children[1] & children[0]) < len(children[0]) / 10  # another population's
    events = [{event for _, event in chunk} for chunk in (first, second, third)]
    assert not events[2] & events[0]  # new records: none a resend of another chunk's


def test_by_default_every_chunk_brings_new_families() -> None:
    first, _, third = _chunks(None, 3)
    ours, theirs = {child for child, _ in first}, {child for child, _ in third}
    assert len(ours & theirs) < len(ours) / 10
