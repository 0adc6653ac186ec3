"""How audit entries read on the page and in the CSV: who acted, and the detail as text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from services.api.queries.audit import AuditRow, to_csv

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _row(username: str | None, action: str, detail: dict[str, Any], role: str | None = None) -> AuditRow:
    return AuditRow(1, AT, username, role, action, None, detail)


def test_who_acted() -> None:
    assert _row("coord", "user.deactivated", {"user_id": "u1"}, "coordinator").actor == "coord"
    assert _row(None, "user.updated", {"via": "cli", "user_id": "u1"}).actor == "system/CLI"
    assert _row(None, "login.failed", {}).actor == ""
    assert _row("coord", "case.read", {"via": "ui"}).actor == "coord"


def test_detail_is_sorted_and_lists_are_joined() -> None:
    row = _row(None, "user.updated", {"via": "cli", "user_id": "u1", "fields": ["password", "role"]})
    assert row.detail_items == [("fields", "password,role"), ("user_id", "u1"), ("via", "cli")]


def test_csv_names_the_cli_as_system() -> None:
    rows = [
        _row(None, "user.updated", {"via": "cli", "user_id": "u1", "fields": ["password", "role"]}),
        _row(None, "login.failed", {}),
        _row("coord", "sessions.revoked", {"user_id": "u1", "sessions": 2}, "coordinator"),
    ]
    parsed = list(csv.DictReader(io.StringIO("".join(to_csv(rows)))))
    assert [(r["username"], r["role"], r["action"], r["detail"]) for r in parsed] == [
        ("system/CLI", "", "user.updated", "fields=password,role;user_id=u1;via=cli"),
        ("", "", "login.failed", ""),
        ("coord", "coordinator", "sessions.revoked", "sessions=2;user_id=u1"),
    ]
