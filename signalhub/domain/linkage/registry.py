"""``Registry``: an in-memory index of persons, for the ``link`` command and the benchmarks.

It links exactly as intake does (``resolve`` over person views, ``person_view.fill``), only in
memory: ids are positions in lists, keys index positions, names are interned.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator
from dataclasses import replace

from signalhub.domain.linkage.blocking import block_members, blocking_keys
from signalhub.domain.linkage.config import LinkageConfig, default_config
from signalhub.domain.linkage.model import LinkDecision, NormalisedPerson, PersonRecord
from signalhub.domain.linkage.normalise import normalise
from signalhub.domain.linkage.person_view import FILLABLE, fill, stored
from signalhub.domain.linkage.resolve import resolve

__all__ = ["Registry"]


class Registry:
    """Persons (their best-known values) indexed by blocking key.

    Not thread-safe. Blocks larger than ``config.max_block_size`` are skipped on lookup
    (identifier blocks never are): such a common key alone says little, and the person is
    reached through the other keys.
    """

    def __init__(self, config: LinkageConfig | None = None, id_prefix: str = "P") -> None:
        self.config = config or default_config()
        self._values: list[PersonRecord] = []  # position -> the person's values
        self._views: list[NormalisedPerson | None] = []  # position -> normalised values (lazily)
        self._ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._index: dict[str, list[int]] = {}
        self._records = 0
        self._id_prefix = id_prefix

    def __len__(self) -> int:
        """Number of persons."""
        return len(self._ids)

    @property
    def record_count(self) -> int:
        """Number of records linked or added."""
        return self._records

    def candidates(self, keys: frozenset[str]) -> Iterator[tuple[str, NormalisedPerson]]:
        """``CandidateSource``: each person indexed under any of ``keys``, once (``block_members``)."""
        return self._candidates(keys, ())

    def _candidates(
        self, keys: frozenset[str], exclude: Collection[int]
    ) -> Iterator[tuple[str, NormalisedPerson]]:
        for position in block_members(keys, self._index, self.config, exclude):
            yield self._ids[position], self._view(position)

    def _view(self, position: int) -> NormalisedPerson:
        view = self._views[position]
        if view is None:
            view = self._views[position] = normalise(self._values[position])
        return view

    def resolve(self, record: PersonRecord, exclude: Collection[str] = ()) -> LinkDecision:
        """The best person for ``record`` (not added), none of ``exclude`` (persons already
        named in the same signal)."""
        skip = {self._positions[p] for p in exclude}
        source = _Source(self, skip)
        return resolve(normalise(record), source, self.config)

    def add(self, record: PersonRecord, person_id: str | None = None) -> str:
        """Index ``record`` as a record of ``person_id`` (a new person when ``None`` or unknown),
        filling in the values that person lacked."""
        person = normalise(record)
        self._records += 1
        position = self._positions.get(person_id) if person_id is not None else None
        joined = position is not None
        if position is None:
            position = len(self._ids)
            person_id = person_id or f"{self._id_prefix}{position + 1:08d}"
            self._ids.append(sys.intern(person_id))
            self._positions[person_id] = position
            self._values.append(stored(record, person))
            self._views.append(person)
        else:
            current = self._values[position]
            changes = fill({name: getattr(current, name) for name in FILLABLE}, record, person)
            if changes:
                self._values[position] = replace(current, **changes)
                self._views[position] = None
        for key in blocking_keys(person):
            block = self._index.setdefault(sys.intern(key), [])
            if not joined or position not in block:  # one entry per person, as in intake
                block.append(position)
        assert person_id is not None
        return person_id

    def link(self, record: PersonRecord, exclude: Collection[str] = ()) -> tuple[str, LinkDecision]:
        """Resolve then add: a match joins that person, anything else is a new person."""
        decision = self.resolve(record, exclude)
        return self.add(record, decision.person_id if decision.joins else None), decision


class _Source:
    def __init__(self, registry: Registry, exclude: Collection[int]) -> None:
        self.registry, self.exclude = registry, exclude

    def candidates(self, keys: frozenset[str]) -> Iterator[tuple[str, NormalisedPerson]]:
        return self.registry._candidates(keys, self.exclude)
