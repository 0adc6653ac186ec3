"""Linking a signal's people to registry persons: the linkage engine over the batch's view of the
registry (persons loaded by blocking key plus persons created earlier in the same batch), so a
batch's records are linked to each other as well as to the registry.

`People` implements the engine's `CandidateSource`; `link()` resolves one person, then either
creates a person (non-match, possible match: a reviewer decides) or joins the best one (match),
filling in values the person lacked (`person_view.fill`) and indexing the new record's keys under
that person: the same linker as the in-memory `Registry` of `signalhub link`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any

from signalhub.domain.families import FAMILY_ROLES
from signalhub.domain.linkage.blocking import block_members, blocking_keys
from signalhub.domain.linkage.cache_sizes import CANDIDATES, PERSONS
from signalhub.domain.linkage.config import LinkageConfig
from signalhub.domain.linkage.family import Household
from signalhub.domain.linkage.model import Band, LinkDecision, NormalisedPerson, PersonRecord, Sex
from signalhub.domain.linkage.normalise import normalise
from signalhub.domain.linkage.person_view import FILLABLE, fill, own_record, stored
from signalhub.domain.linkage.resolve import resolve
from signalhub.domain.vocabulary import PersonRole
from signalhub.signals import PersonModel
from signalhub.store.base import new_id
from signalhub.store.intake_rows import Changes, PersonRow

__all__ = ["Linked", "People", "link_rows", "record_of"]


@lru_cache(maxsize=PERSONS)
def normalised(record: PersonRecord) -> NormalisedPerson:
    """`normalise`, memoised: the same written record normalises the same way."""
    return normalise(record)


def _sex(value: str | None) -> Sex | None:
    return "M" if value == "M" else "F" if value == "F" else None


def record_of(person: PersonModel, address: str | None) -> PersonRecord:
    sex = _sex(person.sex)
    return PersonRecord(
        record_id="",
        surname=person.surname,
        first_name=person.first_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
        sex=sex,
        snils=person.snils,
        birth_cert=person.birth_cert,
        address=address,
    )


RowValues = tuple[
    str | None, str | None, str | None, date | None, str | None, str | None, str | None, str | None
]


_values: Callable[[PersonRow], RowValues] = attrgetter(
    "surname", "first_name", "patronymic", "birth_date", "sex", "snils", "birth_cert", "address"
)


@lru_cache(maxsize=CANDIDATES)
def _normalised_row(values: RowValues) -> NormalisedPerson:
    """A stored person's values, normalised; keyed by a plain tuple, which hashes and compares
    faster than a record (every candidate of every batch comes through here)."""
    surname, first_name, patronymic, birth_date, sex, snils, birth_cert, address = values
    return normalised(
        PersonRecord("", surname, first_name, patronymic, birth_date, _sex(sex), snils, birth_cert, address)
    )


@dataclass(frozen=True)
class Linked:
    person_id: str
    decision: LinkDecision
    created: bool


class People:
    """The batch's view of the registry; every change is also recorded in `changes`."""

    def __init__(
        self,
        index: dict[str, list[str]],
        persons: dict[str, PersonRow],
        config: LinkageConfig,
        changes: Changes,
    ) -> None:
        self.index = index
        self.persons = persons
        self.config = config
        self.changes = changes
        self.exclude: set[str] = set()
        self._normalised: dict[str, NormalisedPerson] = {}  # person id -> its row, normalised
        self._together: dict[str, set[str]] = {}  # person id -> named in one family with it (batch)
        self._families: dict[str, list[str]] | None = None  # family id -> its loaded persons' ids

    def candidates(self, keys: frozenset[str]) -> list[tuple[str, NormalisedPerson]]:
        """`CandidateSource`: persons under any key (`block_members`, as the in-memory `Registry`
        visits them), minus those already in this signal."""
        views, persons, found = self._normalised, self.persons, []
        for person_id in block_members(keys, self.index, self.config, self.exclude):
            view = views.get(person_id)
            if view is None:
                view = views[person_id] = _normalised_row(_values(persons[person_id]))
            found.append((person_id, view))
        return found

    def members_of(self, person_id: str) -> Iterator[NormalisedPerson]:
        """`family.MembersOf`: the other persons of `person_id`'s family among those loaded (the
        batch's records' candidates, so a relative named with a record meets their own person),
        and those named with it in this batch (families are placed after the batch is linked)."""
        family = self.persons[person_id].family_id
        members = set(self._together.get(person_id, ()))
        if family is not None:
            members.update(self._family_index().get(family, ()))
        for other in sorted(members - {person_id}):
            yield _normalised_row(_values(self.persons[other]))

    def _family_index(self) -> dict[str, list[str]]:
        """Loaded persons by family, built once per batch: families do not change while a batch
        is linked (they are placed after it), and persons created in it have none yet."""
        if self._families is None:
            self._families = {}
            for p in self.persons.values():
                if p.family_id is not None:
                    self._families.setdefault(p.family_id, []).append(p.id)
        return self._families

    def link_signal(self, named: Sequence[tuple[PersonRole, PersonRecord]], now: datetime) -> list[Linked]:
        """Link the people a signal names, in order, none to a person linked before it in the
        signal; its family (`FAMILY_ROLES`) are each other's relatives (`family.Household`)."""
        self.exclude = set()
        family = [record for role, record in named if role in FAMILY_ROLES]
        links = [
            self.link(record, now, [r for r in family if r is not record] if role in FAMILY_ROLES else ())
            for role, record in named
        ]
        self.named_together([link.person_id for (role, _), link in zip(named, links, strict=True)
                             if role in FAMILY_ROLES])  # fmt: skip
        return links

    def named_together(self, person_ids: Sequence[str]) -> None:
        """Record that a signal named these persons as one family (`members_of` within the batch)."""
        together = set(person_ids).union(*(self._together.get(p, ()) for p in person_ids))
        for person_id in together:
            self._together[person_id] = together

    def link(self, record: PersonRecord, now: datetime, relatives: Sequence[PersonRecord] = ()) -> Linked:
        """Link one person the signal names; `relatives` are the other people it names."""
        person = normalised(record)
        household = None
        if relatives:
            household = Household([normalised(r) for r in relatives], self.members_of, self.config)
        decision = resolve(person, self, self.config, household=household)
        if decision.joins:
            record = own_record(record, decision)  # an identifier of another person stays theirs
            person = normalised(record)
        if not decision.joins or decision.person_id is None:
            v = stored(record, person)
            row = PersonRow(
                id=new_id(), family_id=None, surname=v.surname, first_name=v.first_name, patronymic=v.patronymic,
                birth_date=v.birth_date, sex=v.sex, snils=v.snils, birth_cert=v.birth_cert, address=v.address,
                created_at=now, new=True,
            )  # fmt: skip
            self.persons[row.id] = row
            created = True
        else:
            row = self.persons[decision.person_id]
            self._fill(row, record, person)
            created = False
        for key in blocking_keys(person):
            ids = self.index.setdefault(key, [])
            if row.id not in ids:  # else stored already, or recorded by an earlier link of the batch
                ids.append(row.id)
                self.changes.person_keys.add((key, row.id))
        self.exclude.add(row.id)
        return Linked(row.id, decision, created)

    def _fill(self, row: PersonRow, record: PersonRecord, person: NormalisedPerson) -> None:
        changes = fill({name: getattr(row, name) for name in FILLABLE}, record, person)
        for name, value in changes.items():
            setattr(row, name, value)
        if changes:
            row.dirty = True
            self._normalised.pop(row.id, None)


def link_rows(signal_id: str, links: list[tuple[PersonModel, Linked]]) -> list[dict[str, Any]]:
    """`signal_persons` rows: each person as named, with the decision and its per-field evidence;
    a possible match (a person of its own until reviewed) names the candidate it may be
    (`{"candidate": person id}`) and waits for a person to confirm or split it
    (`review_status='pending'`)."""
    rows = []
    for person, link in links:
        d = link.decision
        evidence: list[Any] = [{"field": e.field, "level": e.level, "weight": e.weight} for e in d.evidence]
        if d.rule:
            evidence.append({"rule": d.rule})
        if d.band is Band.POSSIBLE and d.person_id is not None:
            evidence.append({"candidate": d.person_id})
        rows.append(
            {"id": new_id(), "signal_id": signal_id, "person_id": link.person_id, "role": person.role.value,
             "band": d.band.value, "score": float(d.score), "evidence": evidence,
             "review_status": "pending" if d.band is Band.POSSIBLE else "none",
             "reviewed_by": None, "reviewed_at": None}
        )  # fmt: skip
    return rows
