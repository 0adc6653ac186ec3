"""The one error of the contracts room."""

from __future__ import annotations

from enum import StrEnum


class SerializationReason(StrEnum):
    """Why bytes could not become a record (or a record bytes). Stable codes for headers and metrics."""

    WRONG_MAGIC = "wrong_magic"
    TRUNCATED = "truncated"
    UNKNOWN_FINGERPRINT = "unknown_fingerprint"
    WRONG_SCHEMA = "wrong_schema"
    FIELD_ERROR = "field_error"


class SerializationError(Exception):
    """Bytes are not a valid message of the expected contract, or a record does not fit its schema.

    The message never contains field values, so it may leave the process (dead-letter headers,
    receipts). Never retriable: the same bytes fail the same way.
    """

    retriable = False

    def __init__(self, reason: SerializationReason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.detail = message
