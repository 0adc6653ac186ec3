"""The accounts of the workplace as a list: ids, usernames, roles, scope and the active flag.

Never a password hash, and no display name: the list is for managing accounts, not for showing
who they are. Shared by `GET /api/v1/users` and `signalhub users list`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from signalhub.store.workplace import User


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
