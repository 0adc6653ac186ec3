"""Why a signal is invalid, told without its values: `FieldError`, `SignalValidationError`, `field_errors`.

Contract: nothing here ever carries an input value (signals hold personal data). pydantic's own
`str(ValidationError)` quotes the input, so callers turn it into `field_errors()` or raise
`SignalValidationError` instead. `signalhub.signals` re-exports these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

__all__ = ["FieldError", "SignalValidationError", "field_errors"]


@dataclass(frozen=True)
class FieldError:
    """One reason a signal is invalid: where (`children[0].snils`) and why, never the value."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class SignalValidationError(ValueError):
    """A signal broke the model's rules. `errors` lists every field; the text holds no values."""

    retriable = False

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("invalid signal: " + "; ".join(str(e) for e in errors))


# Messages of these error types list the allowed values only, never the input.
_SAFE_FULL_MESSAGE = {"enum", "literal_error", "string_pattern_mismatch", "extra_forbidden", "missing"}


def field_errors(error: ValidationError) -> list[FieldError]:
    """Every error of a pydantic `ValidationError` as (path, reason), with no input values.

    Our own validators' messages are written without values; pydantic's built-in messages are cut
    at their first comma, after which some quote parts of the input.
    """
    found = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        kind = item["type"]
        message = str(item["msg"])
        if kind in ("value_error", "assertion_error"):
            message = message.split(", ", 1)[1] if ", " in message else message
        elif kind not in _SAFE_FULL_MESSAGE:
            message = message.split(",", 1)[0]
        found.append(FieldError(_path(item["loc"]), message))
    return found


# A part of a path is a field name the model knows, or a key of the sender's own document (an
# unknown field, `extra_forbidden`): such a key is named only when it looks like a field name, so
# that a key holding a person's name or a control character is never echoed.
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_UNKNOWN_FIELD = "<unknown field>"


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        name = part if _FIELD_NAME.fullmatch(part) else _UNKNOWN_FIELD
        text += f".{name}" if text else name
    return text or "(signal)"
