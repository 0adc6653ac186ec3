"""Progress of one file import, kept next to the input so an interrupted import can resume.

The state file `<input>.import-state.json` records the input's SHA-256, the agency and record
type, and `last_row`: every row up to it is done (acknowledged by the broker, rejected, or without
a signal). It is written atomically (temp file + rename) after each batch. A state for another
file content, agency or record type is ignored: the import starts over, which is still safe since
each row's event id is deterministic.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class ImportState:
    sha256: str
    agency: str
    record_type: str
    last_row: int = 0
    published: int = 0
    rejected: int = 0
    skipped: int = 0

    def advanced(self, last_row: int, published: int, rejected: int, skipped: int) -> ImportState:
        return replace(
            self,
            last_row=last_row,
            published=self.published + published,
            rejected=self.rejected + rejected,
            skipped=self.skipped + skipped,
        )


def state_path(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.name}.import-state.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_state(input_path: Path, fresh: ImportState) -> ImportState:
    """The saved state when it is for the same content, agency and record type, else `fresh`."""
    path = state_path(input_path)
    try:
        saved = ImportState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return fresh
    same = (saved.sha256, saved.agency, saved.record_type) == (fresh.sha256, fresh.agency, fresh.record_type)
    return saved if same else fresh


def save_state(input_path: Path, state: ImportState) -> None:
    path = state_path(input_path)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    os.replace(temp, path)
