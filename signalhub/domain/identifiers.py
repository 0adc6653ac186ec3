"""Russian personal identifiers: SNILS, birth certificate, OMS policy.

Pure functions. None of them raises on bad input: a value that cannot be a valid identifier
normalises to ``None`` so that callers can treat it as missing.
"""

from __future__ import annotations

import re

__all__ = ["birth_cert_normalise", "normalise_snils", "oms_valid", "snils_check_digits", "snils_valid"]

_NON_DIGIT = re.compile(r"\D")
# Numbers up to 001-001-998 were issued before the checksum existed.
_SNILS_CHECKED_FROM = 1_001_998
# Latin look-alikes that agencies type instead of the Cyrillic letters of the series.
_LOOKALIKE = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI", "7": "VII", "8": "VIII", "9": "IX"}
_ROMAN_FROM_CYRILLIC = str.maketrans({"І": "I", "Х": "X", "С": "C"})
_BIRTH_CERT = re.compile(r"^([IVXLCІХС1-9]{1,5})[-\s]*([А-ЯЁA-Z]{2})[\s№N-]*(\d{6})$")


def snils_check_digits(first_nine: str) -> str:
    """The two check digits of a SNILS whose first nine digits are ``first_nine``."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(9, 0, -1), strict=True))
    if total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def normalise_snils(value: str | None) -> str | None:
    """Return the 11 digits of a SNILS with a valid checksum, else ``None``.

    Separators (spaces, hyphens) are ignored: ``"112-233-445 95"`` -> ``"11223344595"``.
    Numbers not above 001-001-998 have no checksum and are accepted if they have 11 digits.
    """
    if not value:
        return None
    digits = _NON_DIGIT.sub("", value)
    if len(digits) != 11 or digits == "0" * 11:
        return None
    if int(digits[:9]) <= _SNILS_CHECKED_FROM:
        return digits
    return digits if snils_check_digits(digits[:9]) == digits[9:] else None


def snils_valid(value: str | None) -> bool:
    """True when ``value`` is a SNILS with 11 digits and a correct checksum."""
    return normalise_snils(value) is not None


def birth_cert_normalise(value: str | None) -> str | None:
    """Canonical birth certificate ``"II-ЛО123456"`` or ``None`` when it cannot be one.

    Accepts the usual writings: ``II-ЛО 123456``, ``ii ло №123456``, ``2-ЛО 123456`` (Arabic
    numeral for the Roman one), Latin look-alike letters in the series, and a Cyrillic ``І``/``Х``.
    """
    if not value:
        return None
    text = value.strip().upper().replace("Ё", "Е")
    match = _BIRTH_CERT.match(text)
    if match is None:
        return None
    roman, letters, number = match.groups()
    roman = _ROMAN.get(roman, roman.translate(_ROMAN_FROM_CYRILLIC))
    if not re.fullmatch(r"[IVXLC]+", roman):
        return None
    return f"{roman}-{letters.translate(_LOOKALIKE)}{number}"


def oms_valid(value: str | None) -> bool:
    """True when ``value`` is a single-format OMS policy number: exactly 16 digits."""
    if not value:
        return False
    digits = _NON_DIGIT.sub("", value)
    return len(digits) == 16 and len(value.replace(" ", "").replace("-", "")) == 16
