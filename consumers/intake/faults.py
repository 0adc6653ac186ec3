"""What a failed batch means: one classification, made once, that the loop acts on.

- `TRANSIENT`: a shared resource that waiting can cure: the database unreachable or its connection
  lost, a serialization failure or deadlock, a unique violation from another intake process that
  wrote the same key first (its next read sees that row), a retriable broker error. The batch is
  read again after a backoff; nothing is dead-lettered.
- `SHARED`: a fault that is neither the record's nor curable by waiting: the database's schema is
  not what the code expects (`ProgrammingError`: a migration was not run), or the broker refused
  us for good (a non-retriable Kafka error). The process stops; nothing is lost, offsets are not
  committed, and the records are read again once an operator has fixed it.
- `RECORD`: everything else, caused by the content of some record of the batch (a value the
  database refuses, a bug that one input triggers): that record is found and dead-lettered,
  the rest of the batch goes on.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

import psycopg
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

__all__ = ["Backoff", "Fault", "classify", "is_transient"]

UNIQUE_VIOLATION = "23505"
# Bulk writes run on the raw driver connection (COPY), so its own exceptions arrive unwrapped:
# each kind is matched as SQLAlchemy's wrapper or as either driver's DB-API class.
_TRANSIENT_DB = (
    OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError,
    sqlite3.OperationalError, sqlite3.InterfaceError,
)  # fmt: skip
_INTEGRITY = (IntegrityError, psycopg.IntegrityError, sqlite3.IntegrityError)
_SCHEMA = (ProgrammingError, psycopg.ProgrammingError, sqlite3.ProgrammingError)


class Fault(StrEnum):
    TRANSIENT = "transient"
    SHARED = "shared"
    RECORD = "record"


def _unique_violation(error: BaseException) -> bool:
    orig = error.orig if isinstance(error, DBAPIError) else error
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:
        return bool(sqlstate == UNIQUE_VIOLATION)
    return "UNIQUE constraint failed" in str(orig)  # SQLite has no SQLSTATE


def classify(error: BaseException) -> Fault:
    """The kind of fault `error` is (module docstring)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return Fault.TRANSIENT
    if isinstance(error, _TRANSIENT_DB):
        return Fault.TRANSIENT
    if isinstance(error, _INTEGRITY):
        return Fault.TRANSIENT if _unique_violation(error) else Fault.RECORD
    if isinstance(error, _SCHEMA):
        return Fault.SHARED
    if isinstance(error, KafkaTimeoutError):
        return Fault.TRANSIENT
    if isinstance(error, KafkaError):
        return Fault.TRANSIENT if getattr(error, "retriable", False) else Fault.SHARED
    return Fault.RECORD


def is_transient(error: BaseException) -> bool:
    return classify(error) is Fault.TRANSIENT


class Backoff:
    """Exponential delays: initial, doubled on each failure, capped; reset on success."""

    def __init__(self, initial_s: float = 0.2, max_s: float = 10.0) -> None:
        self.initial_s, self.max_s, self.failures = initial_s, max_s, 0

    def next(self) -> float:
        delay = min(self.max_s, self.initial_s * float(2**self.failures))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0
