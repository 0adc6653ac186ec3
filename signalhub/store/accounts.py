"""Accounts of the workplace, shared by the API and `signalhub users`: the list of accounts (ids,
usernames, roles, scope and the active flag; never a password hash, and no display name: the list
is for managing accounts, not for showing who they are) and the audit entry of a change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from signalhub.store.workplace import AuditEntry, User


@dataclass(frozen=True)
class AccountRow:
    id: str
    username: str
    role: str
    municipality_code: str | None
    agency: str | None
    active: bool

    def as_json(self) -> dict[str, str | bool | None]:
        return asdict(self)


def accounts(session: Session) -> list[AccountRow]:
    """Every user, ordered by username."""
    columns = (User.id, User.username, User.role, User.municipality_code, User.agency, User.active)
    return [AccountRow(*row) for row in session.execute(select(*columns).order_by(User.username)).all()]


def audit(
    session: Session,
    user_id: str | None,
    action: str,
    now: datetime,
    *,
    case_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in the caller's transaction (it commits with the action it records);
    `user_id` is who acted (None: nobody signed in, e.g. the CLI); `detail` holds codes and ids."""
    session.add(AuditEntry(at=now, user_id=user_id, action=action, case_id=case_id, detail=detail or {}))
