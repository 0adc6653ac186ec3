"""``blocking_keys``: the few plain-string keys under which a person is indexed and looked up.

Two records of one person share at least one key despite one typo in a name (each name key
leaves one name out), a diminutive (first names key on the full name), a Latin spelling
(phonetic keys), a day/month swap (the date key sorts day and month), a one-day error (keys on
the birth year), a missing patronymic or a missing birth date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from signalhub.domain.linkage.cache_sizes import PERSONS
from signalhub.domain.linkage.config import LinkageConfig
from signalhub.domain.linkage.model import NormalisedPerson

__all__ = ["IDENTIFIER_PREFIXES", "block_members", "blocking_keys", "query_keys"]

T = TypeVar("T")

IDENTIFIER_PREFIXES = ("snils:", "bc:")
_MAX_NAME_GROUPS = 8
_MAX_ADDRESS_WORDS = 3
_WORDS_WITH_DATE = 2
_WORDS_WITH_NAME = 2
MAX_KEY_LENGTH = 120  # person_keys.key is VARCHAR(120): a longer key stopped intake (issue 13)


def _date_key(born: dt.date) -> str:
    low, high = sorted((born.month, born.day))
    return f"{born.year}{low:02d}{high:02d}"


def _address_words(n: NormalisedPerson) -> list[str]:
    """The address's longest name words first (streets and localities, not letters)."""
    if n.address is None:
        return []
    return sorted((w for w in n.address.names if len(w) >= 4), key=lambda w: (-len(w), w))


@lru_cache(maxsize=PERSONS)  # pure and immutable: a person keyed once, however often linked
def blocking_keys(n: NormalisedPerson) -> frozenset[str]:
    """Keys of a person: ``snils:…``, ``bc:…`` and name/date keys (phonetic, never raw values).

    Name/date keys: ``sd`` surname+date, ``fd`` first name+date, ``sfy`` surname's first
    three letters+first name+birth year, ``dh`` date+house+flat, ``fph`` first name+patronymic+house, ``ah`` address word+house+flat (a household), ``fpy`` first name+patronymic+year, ``sfp`` surname+first name+patronymic,
    ``sf`` surname+first name (large blocks, fetched only for records without a birth date),
    ``dw`` date+address word, ``nw`` name+address word (either name: swapped names meet), and
    ``snils~``/``bc~`` halves of an identifier (one mistyped digit leaves one half intact).
    The surname and the written first name also key ``sd`` in either role (swapped names).
    """
    keys: set[str] = set()
    if n.snils:
        keys.add(f"snils:{n.snils}")
    if n.birth_cert:
        keys.add(f"bc:{n.birth_cert}")
    for prefix, value in (("snils~", n.snils and n.snils[:9]), ("bc~", n.birth_cert)):  # SNILS body
        if value:
            series, digits = value.rstrip("0123456789"), value[len(value.rstrip("0123456789")) :]
            half = len(digits) // 2
            keys.update((f"{prefix}1:{series}{digits[:half]}", f"{prefix}2:{series}{digits[half:]}"))
    names = sorted(n.first_name_groups)[:_MAX_NAME_GROUPS] or ([n.first_name_key] if n.first_name_key else [])
    surname, patronymic, born = n.surname, n.patronymic, n.birth_date
    words = _address_words(n)
    if n.address is not None:
        for either in {surname, n.first_name_key} - {None}:
            for word in words[:_WORDS_WITH_NAME]:
                keys.update(
                    f"nw:{either}:{word}:{part}" for part in (n.address.house, n.address.flat) if part
                )
    if born is not None:
        date, year = _date_key(born), born.year
        for either in {surname, n.first_name_key} - {None}:
            keys.add(f"sd:{either}:{date}")
        for word in words[:_WORDS_WITH_DATE]:
            keys.add(f"dw:{date}:{word}")
        for name in names:
            keys.add(f"fd:{name}:{date}")
            if surname:
                keys.add(f"sfy:{surname[:3]}:{name}:{year}")
            if patronymic:
                keys.add(f"fpy:{name}:{patronymic}:{year}")
    if born is not None and n.address is not None and n.address.house:
        keys.add(f"dh:{_date_key(born)}:{n.address.house}:{n.address.flat or ''}")
    if n.address is not None and n.address.house:
        if n.address.flat:  # a flat makes one word + house + flat a household
            for word in words[:_MAX_ADDRESS_WORDS]:
                keys.add(f"ah:{word}:{n.address.house}:{n.address.flat}")
        else:  # a house alone is a household only with all its words (else a whole village)
            keys.add(f"ah:{'-'.join(sorted(n.address.names))}:{n.address.house}:")
    if patronymic and n.address is not None and n.address.house:
        for name in names:
            keys.add(f"fph:{name}:{patronymic}:{n.address.house}")
    if surname:
        for name in names:
            keys.add(f"sf:{surname}:{name}")
            if patronymic:
                keys.add(f"sfp:{surname}:{name}:{patronymic}")
    return frozenset(_bounded(k) for k in keys)


def _bounded(key: str) -> str:
    """A key of at most `MAX_KEY_LENGTH` characters (the width of `person_keys.key`): a longer one
    (names of 100 characters each) keeps its head and a digest of the whole, so it stays distinct."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return key[: MAX_KEY_LENGTH - 17] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]


@lru_cache(maxsize=PERSONS)
def query_keys(n: NormalisedPerson) -> frozenset[str]:
    """The subset of ``blocking_keys`` worth fetching: the coarse ``sf`` keys only when the
    record has no birth date (otherwise the date keys already reach every true match)."""
    keys = blocking_keys(n)
    if n.birth_date is None:
        return keys
    return frozenset(k for k in keys if not k.startswith("sf:"))


def block_members(
    keys: frozenset[str],
    index: Mapping[str, Sequence[T]],
    config: LinkageConfig,
    exclude: Collection[T] = (),
) -> Iterator[T]:
    """The members of the blocks under ``keys``, each once and none of ``exclude``: blocks
    smallest first (identifier blocks always, first of all), none over ``max_block_size``, and
    no further block opened once ``max_candidates`` members came: the small blocks are the
    specific ones."""
    blocks = sorted(
        (0 if k.startswith(IDENTIFIER_PREFIXES) else len(block), k, block)
        for k in keys
        if (block := index.get(k))
    )
    seen, came = set(exclude), 0
    for size, _, block in blocks:
        if size > config.max_block_size or (size and came >= config.max_candidates):
            break
        for member in block:
            if member not in seen:
                seen.add(member)
                came += 1
                yield member
