from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from signalhub.russian_format import (
    count,
    day_words,
    in_figures,
    month_words,
    number,
    parse_date_field,
    parse_datetime_field,
)
from signalhub.russian_names import NOUNS

NSK = ZoneInfo("Asia/Novosibirsk")


def test_numbers_have_a_decimal_comma() -> None:
    assert number(60) == "60,0"
    assert number(1234.5) == "1\xa0234,5"
    assert number(-1.25, 2, signed=True) == "−1,25"
    assert number(2.5, signed=True) == "+2,5"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1 случай"),
        (2, "2 случая"),
        (5, "5 случаев"),
        (11, "11 случаев"),
        (21, "21 случай"),
        (104, "104 случая"),
    ],
)
def test_counts_take_the_plural_form(n: int, text: str) -> None:
    assert count(n, NOUNS["case"]) == text


def test_dates_in_words_and_in_figures() -> None:
    assert day_words(date(2026, 12, 1)) == "1 декабря 2026"
    assert month_words(2026, 12) == "декабрь 2026"
    late = datetime(2026, 11, 30, 20, 5, tzinfo=UTC)  # already 1 December in Novosibirsk
    assert day_words(late, NSK) == "1 декабря 2026"
    assert in_figures(late, NSK) == "01.12.2026 03:05"
    assert in_figures(late, NSK, with_time=False) == "01.12.2026"


def test_date_fields_read_dd_mm_yyyy() -> None:
    assert parse_date_field(" 01.12.2026 ") == date(2026, 12, 1)
    assert parse_datetime_field("01.12.2026 03:05", NSK) == datetime(2026, 11, 30, 20, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="isoformat"):
        parse_date_field("12/01/2026")
