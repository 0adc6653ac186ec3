"""What a PostgreSQL connection sends and waits for, read from libpq's protocol trace: the
statements, and the round trips (the times the client waits for the server to finish: each
ReadyForQuery, which ends a statement outside a pipeline or a whole pipeline, and each
CopyInResponse, which a COPY waits for before it sends its data)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from psycopg import pq
from sqlalchemy import Engine

_WAITS = ("ReadyForQuery", "CopyInResponse")


@dataclass
class Wire:
    lines: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        return sum(1 for line in self.lines if line.startswith("B\t") and line.split("\t")[2] in _WAITS)

    @property
    def statements(self) -> list[str]:
        """The SQL of every statement sent (Parse and simple Query messages)."""
        out = []
        for line in self.lines:
            parts = line.split("\t", 3)
            if parts[0] == "F" and parts[2] in ("Parse", "Query"):
                # Parse: ` "name" "SQL" n types...`; Query: ` "SQL"`
                text = parts[3].split('"', 3)[3] if parts[2] == "Parse" else parts[3].split('"', 1)[1]
                out.append(text.rsplit('"', 1)[0])
        return out


@contextmanager
def traced(engine: Engine) -> Iterator[Wire]:
    """Trace the engine's one pooled connection (the engine must be used by one thread, the
    connection checked in) while the block runs; the pool's own checkout ping is left out."""
    wire = Wire()
    fd, path = tempfile.mkstemp()
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            pgconn = driver.pgconn
        pgconn.trace(fd)
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield wire
        finally:
            pgconn.untrace()
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        # each checkout pings with an empty query (pool_pre_ping): not the code under test's
        wire.lines[:] = _without_pings(lines)
    finally:
        os.close(fd)
        os.unlink(path)


def _without_pings(lines: list[str]) -> list[str]:
    out: list[str] = []
    skip = 0
    for line in lines:
        if skip:
            skip -= 1
            continue
        if line.startswith("F\t") and line.split("\t")[2] == "Query" and line.endswith('";"'):
            skip = 2  # EmptyQueryResponse, ReadyForQuery
            continue
        out.append(line)
    return out
