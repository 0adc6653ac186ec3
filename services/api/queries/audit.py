"""The append-only audit log: who read or did what, when. Rows are only ever inserted.

`detail` holds codes and ids (action kind, fields changed), never names or free text from a case.
Entries without a signed-in user are failed logins and changes made with `signalhub users`
(`detail["via"] == "cli"`); the CSV shows the latter as "system/CLI", the page in words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.access import Principal
from signalhub.store import accounts
from signalhub.store.cases import Case
from signalhub.store.workplace import AuditEntry, User


def record(
    session: Session,
    who: Principal | None,
    action: str,
    now: datetime,
    *,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction (it commits with the action it records)."""
    accounts.audit(session, who.id if who else None, action, now, case_id=case_id, detail=detail)


SYSTEM_CLI = "system/CLI"


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str | None
    role: str | None
    action: str
    case_id: str | None
    detail: dict[str, Any]
    case_number: str | None = None  # shown instead of the id
    subject: str | None = None  # the username of `detail["user_id"]`, the account acted on

    @property
    def actor(self) -> str:
        """Who acted, for display: the username, "system/CLI", or "" (a failed login: nobody)."""
        if self.username:
            return self.username
        return SYSTEM_CLI if self.detail.get("via") == "cli" else ""

    @property
    def by_cli(self) -> bool:
        return not self.username and self.detail.get("via") == "cli"

    @property
    def detail_items(self) -> list[tuple[str, str]]:
        """The detail as sorted (key, text) pairs; a list value is joined with commas."""
        return [(k, _text(v)) for k, v in sorted(self.detail.items())]


def _text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def entries(
    session: Session, *, case_id: str | None = None, user_id: str | None = None, limit: int = 500
) -> list[AuditRow]:
    q = (
        select(AuditEntry, User.username, User.role, Case.number)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .outerjoin(Case, Case.id == AuditEntry.case_id)
    )
    if case_id:
        q = q.where(AuditEntry.case_id == case_id)
    if user_id:
        q = q.where(AuditEntry.user_id == user_id)
    q = q.order_by(AuditEntry.id.desc()).limit(limit)
    found = session.execute(q).all()
    subjects = {str(e.detail["user_id"]) for e, *_ in found if (e.detail or {}).get("user_id")}
    usernames = dict(session.execute(select(User.id, User.username).where(User.id.in_(subjects))).all())
    return [
        AuditRow(
            e.id,
            e.at,
            name,
            role,
            e.action,
            e.case_id,
            e.detail or {},
            number,
            usernames.get(str((e.detail or {}).get("user_id"))),
        )
        for e, name, role, number in found
    ]


def to_csv(rows: list[AuditRow]) -> Iterator[str]:
    """CSV lines (header first): id, at (ISO 8601 UTC), username (`AuditRow.actor`), role, action,
    case_id, detail."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["id", "at", "username", "role", "action", "case_id", "detail"])
    for r in rows:
        detail = ";".join(f"{k}={v}" for k, v in r.detail_items)
        writer.writerow([r.id, r.at.isoformat(), r.actor, r.role or "", r.action, r.case_id or "", detail])
    yield buf.getvalue()
