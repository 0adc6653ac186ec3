"""Where PostgreSQL's time goes, per process: the top statements of one database from
`pg_stat_statements`, by total execution time and by calls (the `--explain` of the alert benchmark).

The cluster must load the extension (`SIGNALHUB_PG_STATEMENTS=1 deploy/postgres/pg.sh up`); each
process connects as its own role (`signalhub_intake`, `signalhub_relay`, `signalhub_notifier`), so
the statements of each process are counted apart. The view lives in the cluster's `signalhub`
database (where pg.sh creates the extension); it is read from there for the benchmark's database.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

__all__ = ["ROLES", "as_role", "report"]

ROLES = ("intake", "relay", "notifier")

_TOP = """
SELECT r.rolname, s.calls, s.total_exec_time, s.rows, s.query
FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = %s)
"""


def as_role(url: str, process: str) -> str:
    """`url` logged in as the process's own role, named in pg_stat_activity too."""
    base = make_url(url)
    return base.set(
        username=f"{base.username}_{process}", query={"application_name": f"signalhub-{process}"}
    ).render_as_string(hide_password=False)


# `IN ($2, $3, ...)` of every length is one statement here (PostgreSQL counts each length apart).
_NUMBER = re.compile(r"\$\d+")  # the parameters after a list are numbered by its length
_LIST = re.compile(r"\(\$\d+(::[\w ]+)?(, \$\d+(::[\w ]+)?)+\)")


def _rows(url: str) -> list[tuple[str, int, float, int, str]]:
    """(role, calls, total ms, rows, query) per statement, lists of parameters folded into one."""
    base = make_url(url)
    with psycopg.connect(
        host=base.host, port=base.port, user=base.username, password=base.password, dbname="signalhub"
    ) as conn:
        found = conn.execute(_TOP.encode(), (base.database,)).fetchall()
    folded: dict[tuple[str, str], list[Any]] = {}
    for role, calls, total, rows, query in found:
        text = _NUMBER.sub("$n", _LIST.sub("(...)", " ".join(query.split())))
        acc = folded.setdefault((role, text), [role, 0, 0.0, 0, text])
        acc[1], acc[2], acc[3] = acc[1] + calls, acc[2] + total, acc[3] + rows
    return [tuple(v) for v in folded.values()]


def _line(row: tuple[str, int, float, int, str]) -> str:
    _, calls, total, rows, text = row
    return f"    {total:9.0f} ms {calls:7d} calls {total / max(calls, 1):7.3f} ms/call {rows:8d} rows  {text[:110]}"


def report(url: str, seconds: float, top: int = 8) -> str:
    """The per-process summary and top statements of the database of `url` (as text)."""
    rows = _rows(url)
    by_role: dict[str, list[Any]] = {}
    for row in rows:
        by_role.setdefault(row[0], []).append(row)
    out = [f"PostgreSQL statements over the run (database {make_url(url).database}):"]
    for role, items in sorted(by_role.items(), key=lambda kv: -sum(r[2] for r in kv[1])):
        total, calls = sum(r[2] for r in items), sum(r[1] for r in items)
        out.append(
            f"  {role}: {total:.0f} ms in {calls} calls ({calls / seconds:.0f} calls/s over {seconds:.0f} s)"
        )
        out.append("   by total time:")
        out += [_line(r) for r in sorted(items, key=lambda r: -r[2])[:top]]
        out.append("   by calls:")
        out += [_line(r) for r in sorted(items, key=lambda r: -r[1])[:top]]
    return "\n".join(out)
