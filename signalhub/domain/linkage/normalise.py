"""``normalise``: a written record -> its comparable form."""

from __future__ import annotations

from signalhub.domain.identifiers import birth_cert_normalise, normalise_snils
from signalhub.domain.linkage.address import normalise_address
from signalhub.domain.linkage.model import NormalisedPerson, PersonRecord
from signalhub.domain.linkage.names import first_name, patronymic, surname_key
from signalhub.domain.linkage.phonetic import has_latin

__all__ = ["normalise"]


def normalise(record: PersonRecord) -> NormalisedPerson:
    """Normalise names to phonetic keys, identifiers to canonical form, the address to parts.

    Pure and total: bad values become ``None`` (an invalid SNILS is treated as missing). Sex, if
    not given, is taken from the patronymic, then from the first name.
    """
    surname = surname_key(record.surname) if record.surname else ""
    patr, patr_sex = patronymic(record.patronymic) if record.patronymic else ("", None)
    sex = record.sex or patr_sex
    name = first_name(record.first_name, sex) if record.first_name else None
    if sex is None and name is not None:
        sex = name.sex
    canonical: str | None = None
    if name is not None and name.key:
        canonical = next(iter(name.groups)) if len(name.groups) == 1 else name.key
    written = [v for v in (record.surname, record.first_name, record.patronymic) if v]
    return NormalisedPerson(
        record_id=record.record_id,
        surname=surname or None,
        first_name=canonical,
        first_name_key=(name.key or None) if name else None,
        first_name_groups=name.groups if name else frozenset(),
        first_name_approx=name.approx if name else False,
        patronymic=patr or None,
        birth_date=record.birth_date,
        sex=sex,
        snils=normalise_snils(record.snils),
        birth_cert=birth_cert_normalise(record.birth_cert),
        address=normalise_address(record.address),
        latin=any(has_latin(v) for v in written),
    )
