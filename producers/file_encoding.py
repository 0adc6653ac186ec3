"""Which text encoding an agency's CSV or JSON Lines export is written in, and how to read it
without ever replacing a byte.

Agencies write exports with Excel or their own systems: UTF-8 with a BOM (Excel's "CSV UTF-8"),
UTF-8 without one (most systems), or Windows-1251 (Excel's plain "CSV" on a Russian Windows
desktop). `detect` tells them apart; anything else is named with `signalhub import --encoding`.

Bytes that are not text of the encoding are never replaced: they are decoded with Python's
`surrogateescape` handler into lone surrogates, which `undecodable` finds, so the row that holds
them is rejected with its reason instead of being published with U+FFFD letters.
"""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = ["ERRORS", "detect", "undecodable"]

ERRORS = "surrogateescape"
SAMPLE_BYTES = 1 << 20
UTF8, UTF8_BOM, WINDOWS_1251 = "utf-8", "utf-8-sig", "cp1251"


def detect(path: Path, named: str | None = None) -> str:
    """The codec to read `path` with: `named` when given (checked), else by the file's first MiB.

    A BOM means UTF-8; text that is valid UTF-8 is UTF-8; so is text whose non-ASCII lines are
    mostly valid UTF-8 (a few broken rows are then rejected one by one); otherwise Windows-1251."""
    if named:
        try:
            return codecs.lookup(named).name
        except LookupError:
            raise ValueError(
                "--encoding: not an encoding Python knows (e.g. utf-8, cp1251, koi8-r)"
            ) from None
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n")]  # never judge a character cut in half
    try:
        sample.decode(UTF8)
    except UnicodeDecodeError:
        pass
    else:
        return UTF8
    good = bad = 0
    for line in sample.splitlines():
        if line.isascii():
            continue
        try:
            line.decode(UTF8)
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return UTF8 if good > bad else WINDOWS_1251


def undecodable(text: str) -> bool:
    """Whether `text` (decoded with `ERRORS`) holds bytes that were not text of the encoding."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)
