"""The phonetic key: one spelling for a name however an agency wrote it.

Cyrillic and Latin (ICAO 9303 / passport 2013, GOST 7.79, MVD 1997 and 2010, BGN/PCGN, and common
English-style spellings) fold to the same upper-case Latin key: case, Ё/Е, Й/И/Ы, Ь/Ъ, hyphens and
spaces, doubled letters and the ``IE``/``E`` variants are all erased. ``Юлия``, ``Iuliia``,
``Yuliya``, ``Julia`` -> ``IULIA``; ``Щукин`` and ``Shchukin`` -> ``SHCHUKIN``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from signalhub.domain.linkage.cache_sizes import VALUES
from signalhub.domain.linkage.resources import translit

__all__ = ["has_latin", "phonetic_key"]

_CYRILLIC = re.compile(r"[А-ЯЁ]")
_LATIN = re.compile(r"[A-Z]")
_NOT_LETTER = re.compile(r"[^A-ZА-Я]+")
_DOUBLES = re.compile(r"(.)\1+")
# Latin letters typed inside a Cyrillic word (a common keyboard slip): read as Cyrillic.
_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


@cache
def _tables() -> tuple[dict[int, str], re.Pattern[str], dict[str, str]]:
    tables = translit()
    cyrillic = {ord(letter): key for letter, key in tables.cyrillic.items()}
    latin = dict(tables.latin)
    pattern = re.compile("|".join(re.escape(seq) for seq, _ in tables.latin))
    return cyrillic, pattern, latin


def has_latin(text: str) -> bool:
    """True when ``text`` is written in Latin letters (and has no Cyrillic letter)."""
    upper = text.upper()
    return bool(_LATIN.search(upper)) and not _CYRILLIC.search(upper)


@lru_cache(maxsize=VALUES)
def phonetic_key(text: str) -> str:
    """The folded key of a name; ``""`` when it has no letters."""
    upper = text.upper().replace("Ё", "Е")
    cyrillic, pattern, latin = _tables()
    if _CYRILLIC.search(upper):
        upper = upper.translate(_LOOKALIKES)
    letters = _NOT_LETTER.sub("", upper)
    key = pattern.sub(lambda m: latin[m.group(0)], letters.translate(cyrillic))
    key = _DOUBLES.sub(r"\1", key)
    for old, new in translit().folds:
        key = key.replace(old, new)
    return _DOUBLES.sub(r"\1", key)
