"""SNILS checksum, birth certificate and OMS policy normalisation."""

from __future__ import annotations

import pytest

from signalhub.domain.identifiers import (
    birth_cert_normalise,
    normalise_snils,
    oms_valid,
    snils_check_digits,
    snils_valid,
)


@pytest.mark.parametrize(
    ("nine", "check"),
    [
        ("112233445", "95"),  # 9+8+14+12+15+12+12+8+5 = 95 < 100: the sum itself
        ("920000003", "00"),  # 81+16+3 = 100 -> 00
        ("920000004", "00"),  # 81+16+4 = 101 -> 00
    ],
)
def test_check_digits_by_hand(nine: str, check: str) -> None:
    assert snils_check_digits(nine) == check


def test_check_digits_modulo() -> None:
    # 1*9+2*8+3*7+4*6+5*5+6*4+7*3+8*2+9*1 = 165 -> 165 mod 101 = 64
    assert snils_check_digits("123456789") == "64"


def test_check_digits_all_nines() -> None:
    # nine nines: 9 * (9+8+...+1) = 405 -> 405 mod 101 = 1
    assert snils_check_digits("999999999") == "01"


@pytest.mark.parametrize("value", ["112-233-445 95", "11223344595", " 123 456 789 64 ", "999-999-999 01"])
def test_valid_snils(value: str) -> None:
    assert snils_valid(value)


@pytest.mark.parametrize(
    "value", ["112-233-445 96", "1122334459", "", None, "abc", "00000000000", "123-456-789 65"]
)
def test_invalid_snils(value: str | None) -> None:
    assert not snils_valid(value)


def test_normalise_snils_strips_separators() -> None:
    assert normalise_snils("112-233-445 95") == "11223344595"


def test_old_numbers_have_no_checksum() -> None:
    assert normalise_snils("001-001-998 77") == "00100199877"
    assert normalise_snils("001-001-999 77") is None


@pytest.mark.parametrize(
    "value", ["II-ЛО 123456", "ii-ло 123456", "II ЛО №123456", "2-ЛО 123456", "ІІ-ЛО 123456"]
)
def test_birth_cert_forms(value: str) -> None:
    assert birth_cert_normalise(value) == "II-ЛО123456"


def test_birth_cert_latin_lookalikes_in_series() -> None:
    assert birth_cert_normalise("IV-EK 000123") == "IV-ЕК000123"


@pytest.mark.parametrize("value", ["", None, "ЛО 123456", "II-ЛО 12345", "Z-ЛО 123456"])
def test_birth_cert_rejects(value: str | None) -> None:
    assert birth_cert_normalise(value) is None


def test_oms() -> None:
    assert oms_valid("1234567890123456")
    assert oms_valid("1234 5678 9012 3456")
    assert not oms_valid("123456789012345")
    assert not oms_valid(None)
