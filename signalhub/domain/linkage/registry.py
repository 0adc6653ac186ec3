"""``Registry``: an in-memory index of persons, for the ``link`` command and the benchmarks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from signalhub.domain.linkage.blocking import block_members, blocking_keys
from signalhub.domain.linkage.config import LinkageConfig, default_config
from signalhub.domain.linkage.model import Band, LinkDecision, NormalisedPerson, PersonRecord
from signalhub.domain.linkage.normalise import normalise
from signalhub.domain.linkage.resolve import resolve

__all__ = ["Registry"]

_TF_FIELDS = ("surname", "first_name", "patronymic")


class Registry:
    """Records indexed by blocking key, each owned by a person id; keeps name frequencies.

    Not thread-safe. Blocks larger than ``config.max_block_size`` are skipped on lookup
    (identifier blocks never are): such a common key alone says little, and the person is
    reached through the other keys.
    """

    def __init__(self, config: LinkageConfig | None = None, id_prefix: str = "P") -> None:
        self.config = config or default_config()
        self._records: list[NormalisedPerson] = []
        self._owners: list[str] = []
        self._index: dict[str, list[int]] = {}
        self._counts: dict[str, Counter[str]] = {name: Counter() for name in _TF_FIELDS}
        self._persons: set[str] = set()
        self._id_prefix = id_prefix

    def __len__(self) -> int:
        """Number of persons."""
        return len(self._persons)

    @property
    def record_count(self) -> int:
        """Number of records indexed."""
        return len(self._records)

    def candidates(self, keys: frozenset[str]) -> Iterator[tuple[str, NormalisedPerson]]:
        """``CandidateSource``: each record indexed under any of ``keys``, once (``block_members``)."""
        for position in block_members(keys, self._index, self.config):
            yield self._owners[position], self._records[position]

    def share(self, field: str, value: str) -> float | None:
        """``TermFrequencies``: share of records with this value, once the registry is large."""
        total = len(self._records)
        if total < self.config.tf_min_records:
            return None
        return self._counts[field][value] / total

    def resolve(self, record: PersonRecord | NormalisedPerson) -> LinkDecision:
        """The best person for ``record`` (not added)."""
        person = record if isinstance(record, NormalisedPerson) else normalise(record)
        return resolve(person, self, self.config, self)

    def add(self, record: PersonRecord | NormalisedPerson, person_id: str | None = None) -> str:
        """Index ``record`` as a record of ``person_id`` (a new person when ``None``)."""
        person = record if isinstance(record, NormalisedPerson) else normalise(record)
        if person_id is None:
            person_id = f"{self._id_prefix}{len(self._persons) + 1:08d}"
        self._persons.add(person_id)
        position = len(self._records)
        self._records.append(person)
        self._owners.append(person_id)
        for key in blocking_keys(person):
            self._index.setdefault(key, []).append(position)
        for name in _TF_FIELDS:
            value = getattr(person, name)
            if value is not None:
                self._counts[name][value] += 1
        return person_id

    def link(self, record: PersonRecord) -> tuple[str, LinkDecision]:
        """Resolve then add: a match or possible match joins that person, else a new one."""
        person = normalise(record)
        decision = self.resolve(person)
        person_id = self.add(person, decision.person_id if decision.band is not Band.NON_MATCH else None)
        return person_id, decision
