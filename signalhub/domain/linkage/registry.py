"""``Registry``: an in-memory index of persons, for the ``link`` command and the benchmarks.

It links exactly as intake does (``resolve`` over person views, ``person_view.fill``), only in
memory and compactly (a million persons in well under a gigabyte): persons are positions in
lists, keys are hashes in a ``KeyIndex``, and equal values (names, dates, addresses' words) are
one shared object.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Hashable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from signalhub.domain.linkage.address import Address
from signalhub.domain.linkage.blocking import block_members, blocking_keys
from signalhub.domain.linkage.config import LinkageConfig, default_config
from signalhub.domain.linkage.family import Household
from signalhub.domain.linkage.key_index import KeyIndex
from signalhub.domain.linkage.model import LinkDecision, NormalisedPerson, PersonRecord
from signalhub.domain.linkage.normalise import normalise
from signalhub.domain.linkage.person_view import FILLABLE, fill, own_record, stored
from signalhub.domain.linkage.resolve import resolve

__all__ = ["Registry"]

H = TypeVar("H", bound=Hashable)
_keys_of = blocking_keys.__wrapped__  # uncached: a registry keys each person once


class Registry:
    """Persons (their best-known values) indexed by blocking key.

    Persons named in one signal (``link_signal``) are one family: a relative named with a
    record who matches a member of a candidate's family corroborates a near birth date
    (``family.Household``), as intake's families do.

    Not thread-safe. Blocks larger than ``config.max_block_size`` are skipped on lookup
    (identifier blocks never are): such a common key alone says little, and the person is
    reached through the other keys.
    """

    def __init__(self, config: LinkageConfig | None = None, id_prefix: str = "P") -> None:
        self.config = config or default_config()
        self._values: list[PersonRecord] = []  # position -> the person's values but the address
        self._views: list[NormalisedPerson] = []  # position -> the values normalised, address too
        self._ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._index = KeyIndex()
        self._shared: dict[Hashable, Hashable] = {}
        self._families: dict[int, list[int]] = {}  # position -> its family's positions (if any)
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
        ids, views = self._ids, self._views
        for position in block_members(keys, self._index.blocks(keys), self.config, exclude):
            yield ids[position], views[position]

    @property
    def index_entries(self) -> int:
        """Number of (key, person) entries in the index."""
        return len(self._index)

    def _share(self, value: H) -> H:
        """The one object equal to ``value`` that the registry holds."""
        return self._shared.setdefault(value, value)  # type: ignore[return-value]

    def _compact(self, record: PersonRecord) -> PersonRecord:
        """``record`` holding shared values, no record id (a person's values are not a record) and
        no address text (the view keeps the address, normalised)."""
        share = self._share
        return replace(
            record, record_id="", surname=share(record.surname), first_name=share(record.first_name),
            patronymic=share(record.patronymic), birth_date=share(record.birth_date), address=None,
        )  # fmt: skip

    def _compact_view(self, view: NormalisedPerson, address: Address | None) -> NormalisedPerson:
        share = self._share
        if address is not None:
            address = Address(share(address.names), share(address.house), share(address.flat))
        return replace(
            view, record_id="", surname=share(view.surname), patronymic=share(view.patronymic),
            birth_date=share(view.birth_date), address=address,
        )  # fmt: skip

    def resolve(
        self, record: PersonRecord, exclude: Collection[str] = (), relatives: Sequence[PersonRecord] = ()
    ) -> LinkDecision:
        """The best person for ``record`` (not added), none of ``exclude`` (persons already
        named in the same signal); ``relatives`` are the other people the signal names."""
        skip = {self._positions[p] for p in exclude}
        source = _Source(self, skip)
        household = None
        if relatives:
            household = Household([normalise(r) for r in relatives], self._members_of, self.config)
        return resolve(normalise(record), source, self.config, household=household)

    def _members_of(self, person_id: str) -> Iterator[NormalisedPerson]:
        position = self._positions[person_id]
        for member in self._families.get(position, ()):
            if member != position:
                yield self._views[member]

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
            self._values.append(self._compact(stored(record, person)))
            self._views.append(self._compact_view(person, person.address))
        else:
            current, view = self._values[position], self._views[position]
            known = {name: getattr(current, name) for name in FILLABLE} | {"address": view.address}
            changes = fill(known, record, person)
            if changes:
                address = person.address if "address" in changes else view.address
                values = self._compact(replace(current, **changes))
                self._values[position] = values
                self._views[position] = self._compact_view(normalise(values), address)
        for key in _keys_of(person):
            self._index.add(key, position, check=joined)  # one entry per person, as in intake
        assert person_id is not None
        return person_id

    def link(
        self, record: PersonRecord, exclude: Collection[str] = (), relatives: Sequence[PersonRecord] = ()
    ) -> tuple[str, LinkDecision]:
        """Resolve then add: a match joins that person, anything else is a new person."""
        decision = self.resolve(record, exclude, relatives)
        return self.add(
            own_record(record, decision), decision.person_id if decision.joins else None
        ), decision

    def link_signal(self, records: Sequence[PersonRecord]) -> list[tuple[str, LinkDecision]]:
        """Link the people one signal names, in order (as intake does): each with the others as
        its relatives and none of the persons linked before it; their persons become one family."""
        linked: list[tuple[str, LinkDecision]] = []
        for i, record in enumerate(records):
            others = [*records[:i], *records[i + 1 :]]
            linked.append(self.link(record, [p for p, _ in linked], others))
        members = {self._positions[p] for p, _ in linked}
        family = sorted({m for p in members for m in self._families.get(p, (p,))})
        if len(family) > 1:
            for member in family:
                self._families[member] = family
        return linked


class _Source:
    def __init__(self, registry: Registry, exclude: Collection[int]) -> None:
        self.registry, self.exclude = registry, exclude

    def candidates(self, keys: frozenset[str]) -> Iterator[tuple[str, NormalisedPerson]]:
        return self.registry._candidates(keys, self.exclude)
