"""A registry person as the linker sees it: one set of values, the best known.

A person's values are those of the record that created them, with the values they lacked
filled in from the records that joined them later (``fill``); a new record is compared with
this view, so it meets the person's identifiers (the first valid one of each kind) whichever
of their records it resembles most, and no chain of records joins conflicting ones. Intake keeps these values in the ``persons`` table, the in-memory
``Registry`` in a list: the same rule for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from signalhub.domain.linkage.model import ANOTHER_PERSON, LinkDecision, NormalisedPerson, PersonRecord

__all__ = ["FILLABLE", "fill", "own_record", "stored"]

FILLABLE = ("patronymic", "birth_date", "sex", "snils", "birth_cert", "address")


def stored(record: PersonRecord, person: NormalisedPerson) -> PersonRecord:
    """The values a new person keeps of ``record``: as written, identifiers in canonical form."""
    return PersonRecord(
        record.record_id, record.surname, record.first_name, record.patronymic, record.birth_date,
        record.sex, person.snils, person.birth_cert, record.address,
    )  # fmt: skip


def fill(current: Mapping[str, Any], record: PersonRecord, person: NormalisedPerson) -> dict[str, Any]:
    """The values a person lacked (``current`` maps ``FILLABLE`` fields to values) that the
    joining ``record`` has: {field: value}."""
    new = stored(record, person)
    return {
        name: getattr(new, name)
        for name in FILLABLE
        if current.get(name) is None and getattr(new, name) is not None
    }


def own_record(record: PersonRecord, decision: LinkDecision) -> PersonRecord:
    """``record`` without the identifiers ``decision`` found to be another person's: the person
    it joins neither keeps nor is indexed under them."""
    others = {e.field for e in decision.evidence if e.level == ANOTHER_PERSON}
    if not others:
        return record
    return replace(
        record,
        snils=None if "snils" in others else record.snils,
        birth_cert=None if "birth_cert" in others else record.birth_cert,
    )
