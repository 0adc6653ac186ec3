"""Agreement level of each field of two normalised persons (no weights here)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from signalhub.domain.linkage.address import Address
from signalhub.domain.linkage.cache_sizes import VALUES
from signalhub.domain.linkage.model import NormalisedPerson
from signalhub.domain.linkage.names import forms_of

__all__ = [
    "address_level",
    "address_words_overlap",
    "date_level",
    "first_name_level",
    "names_crossed",
    "names_swapped",
    "patronymic_level",
    "surname_level",
]

_SURNAME_FUZZY = 0.92
_TYPO_MIN_LENGTH = 5
_FORM_TYPO_MIN_LETTERS = 3  # a name that is no name, this long, one letter off a form is a typo of it
_NAME_FUZZY = 0.88
_ADDRESS_NAMES = 90.0
_ADDRESS_SAME_WORDS = 0.8  # share of name letters in words found on the other side
_ADDRESS_NEAR_WORDS = 0.6
_WORD_FUZZY = 0.85


def _agree(a: NormalisedPerson, b: NormalisedPerson) -> str:
    return "translit" if a.latin != b.latin else "exact"


def surname_level(a: NormalisedPerson, b: NormalisedPerson) -> str:
    """exact | translit | fuzzy (typo, or one part of a double surname) | disagree | missing."""
    if a.surname is None or b.surname is None:
        return "missing"
    if a.surname == b.surname:
        return _agree(a, b)
    return _surname_pair(a.surname, b.surname)


@lru_cache(maxsize=VALUES)
def _surname_pair(a: str, b: str) -> str:
    """fuzzy | disagree of two different surname keys."""
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and (long_.startswith(short) or long_.endswith(short)):
        return "fuzzy"
    if len(short) >= _TYPO_MIN_LENGTH and OSA.distance(a, b) <= 1:
        return "fuzzy"  # one letter typed wrong, dropped, doubled or swapped
    return "fuzzy" if JaroWinkler.normalized_similarity(a, b) >= _SURNAME_FUZZY else "disagree"


def _known(n: NormalisedPerson) -> bool:
    return bool(n.first_name_groups) and not n.first_name_approx


def first_name_level(a: NormalisedPerson, b: NormalisedPerson) -> str:
    """exact | translit | diminutive (same full name) | fuzzy | disagree | missing."""
    if a.first_name_key is None or b.first_name_key is None:
        return "missing"
    if a.first_name_key == b.first_name_key:
        return _agree(a, b)
    if a.first_name_groups & b.first_name_groups:
        return "fuzzy" if a.first_name_approx or b.first_name_approx else "diminutive"
    if _known(a) and _known(b):
        return "disagree"  # two different names from the dictionary, not a typo of one
    if _typo_of_a_form(a, b) or _typo_of_a_form(b, a):
        return "fuzzy"
    similar = JaroWinkler.normalized_similarity(a.first_name_key, b.first_name_key) >= _NAME_FUZZY
    return "fuzzy" if similar else "disagree"


def _typo_of_a_form(a: NormalisedPerson, b: NormalisedPerson) -> bool:
    """``a``'s first name, not a known one, is one edit from a full name or diminutive of ``b``'s
    (Ниоклай and Коляша are both Николай; Вра, a short name garbled, is Вера). A name in no
    dictionary cannot show a different child (twins, siblings) when one letter makes it a form
    of the other record's name."""
    if _known(a) or a.first_name_key is None or len(a.first_name_key) < _FORM_TYPO_MIN_LETTERS:
        return False
    return _typo_of_forms(a.first_name_key, b.first_name_groups)


@lru_cache(maxsize=VALUES)
def _typo_of_forms(key: str, groups: frozenset[str]) -> bool:
    letters = _letters(key)
    return any(OSA.distance(letters, _letters(form)) <= 1 for group in groups for form in forms_of(group))


# One letter of the written name each (Я is IA, Щ is SHCH in a key): a one-letter typo stays
# one edit (Вучеслав/Вячеслав, Тошша/Тоша, Тоян/Тоня), whatever the transliteration.
_DIGRAPHS = (
    ("SHCH", "1"),
    ("ZH", "2"),
    ("KH", "3"),
    ("TS", "4"),
    ("CH", "5"),
    ("SH", "6"),
    ("IU", "7"),
    ("IA", "8"),
)


@lru_cache(maxsize=VALUES)
def _letters(key: str) -> str:
    for digraph, letter in _DIGRAPHS:
        key = key.replace(digraph, letter)
    return key


def _crossed(a: NormalisedPerson, b: NormalisedPerson) -> tuple[bool, bool]:
    """(``a``'s surname is ``b``'s first name, ``a``'s first name is ``b``'s surname)."""
    if not (a.surname and b.surname and a.first_name_key and b.first_name_key):
        return False, False
    jw = JaroWinkler.normalized_similarity
    return (
        jw(a.surname, b.first_name_key) >= _SURNAME_FUZZY,
        jw(a.first_name_key, b.surname) >= _SURNAME_FUZZY,
    )


def names_swapped(a: NormalisedPerson, b: NormalisedPerson) -> bool:
    """True when one record has the surname and first name the other way round."""
    return all(_crossed(a, b))


def names_crossed(a: NormalisedPerson, b: NormalisedPerson) -> bool:
    """True when one record's surname is the other's first name (or the other way round):
    a name written in the wrong field, the other name lost or replaced."""
    return any(_crossed(a, b))


def patronymic_level(a: NormalisedPerson, b: NormalisedPerson) -> str:
    """exact | fuzzy | disagree | missing (compared on the sex-free stem)."""
    if a.patronymic is None or b.patronymic is None:
        return "missing"
    if a.patronymic == b.patronymic:
        return "exact"
    return "fuzzy" if JaroWinkler.normalized_similarity(a.patronymic, b.patronymic) >= 0.9 else "disagree"


def date_level(a: dt.date | None, b: dt.date | None) -> str:
    """exact | swap (day/month) | near (one day) | typo (one digit) | disagree | missing."""
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swap"
    if abs((a - b).days) <= 1:
        return "near"
    if (a.year != b.year) + (a.month != b.month) + (a.day != b.day) > 1:
        return "disagree"  # one typed digit (or two swapped) changes one part of the date, never two
    if OSA.distance(a.isoformat(), b.isoformat()) <= 1:  # the dashes are the same in both
        return "typo"
    return "disagree"


def _found(word: str, others: frozenset[str]) -> bool:
    """``word`` is among ``others`` despite a typo, or a space put in or left out."""
    if word in others:
        return True
    for other in others:
        if JaroWinkler.normalized_similarity(word, other) >= _WORD_FUZZY:
            return True
        if min(len(word), len(other)) >= 3 and (word in other or other in word):
            return True
    return False


def address_words_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the letters of both name sets in words the other set has too (fuzzily): 1.0
    for the same words, about 0.5 for the same locality on another street; typos, split or
    joined words and one missing or replaced word leave most of it."""
    total = sum(map(len, a)) + sum(map(len, b))
    if not total:
        return 0.0
    found = sum(len(w) for w in a if _found(w, b)) + sum(len(w) for w in b if _found(w, a))
    return found / total


@lru_cache(maxsize=VALUES)  # a street's words meet the same few streets' over and over
def _names_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """1.0 for name words that agree as a whole, else ``address_words_overlap``."""
    if a and b:
        if a == b or fuzz.token_set_ratio(" ".join(sorted(a)), " ".join(sorted(b))) >= _ADDRESS_NAMES:
            return 1.0
        return address_words_overlap(a, b)
    return 0.0 if a or b else 1.0


def address_level(a: Address | None, b: Address | None) -> str:
    """exact (names, house, flat) | house (names, house) | street (names only, at least two
    words each: a locality and a street) | near_house (most name words, house) | near (most name
    words, or only the locality of one side) | disagree | missing."""
    if a is None or b is None:
        return "missing"
    overlap = _names_overlap(a.names, b.names)
    same_house = a.house is not None and a.house == b.house
    if overlap >= _ADDRESS_SAME_WORDS:
        if same_house:
            return "exact" if a.flat == b.flat else "house"
        # a locality alone (Бердск) is no street: one word on a side agrees with a town at most
        return "street" if min(len(a.names), len(b.names)) > 1 else "near"
    if overlap >= _ADDRESS_NEAR_WORDS:
        return "near_house" if same_house else "near"
    return "disagree"
