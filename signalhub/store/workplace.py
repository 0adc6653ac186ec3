"""Users of the regional service, their login sessions, failed logins and the append-only audit log.

Sessions are rows, so a session ends when its row goes: at logout, when an admin revokes the user's
sessions, and when the user's password, role or active flag changes (`_end_sessions_on_change`,
run in the flush that writes the change, whoever writes it: the `users` CLI or an admin route).
Bulk `UPDATE users` statements bypass that hook; deactivation still ends sessions at once, since
every request checks `users.active` as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Connection, ForeignKey, Index, Integer, String, delete, event, inspect
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from signalhub.store.base import ID, Base, new_id

DIGEST = String(64)  # SHA-256, hex
SESSION_BOUND = ("password_hash", "role", "active")


class User(Base):
    """coordinator, curator, liaison (of an agency) or operator; curators are scoped to a municipality."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(String(11))
    agency: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class UserSession(Base):
    """A live login session. `id` is the SHA-256 of the session id its token carries, so reading the
    table reveals no token part; a row that exists and has not expired is a session in force."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(DIGEST, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Base):
    """One failed login, under the SHA-256 of (username, client address): neither is held in clear."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(DIGEST)
    at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Who read or did what, when. Never updated, never deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(ID, index=True)
    detail: Mapped[dict[str, Any]]


@event.listens_for(User, "before_update")
def _end_sessions_on_change(_mapper: Mapper[User], connection: Connection, user: User) -> None:
    """A new password, role or active flag ends every session of the user, in the same transaction."""
    state = inspect(user)
    if any(state.attrs[name].history.has_changes() for name in SESSION_BOUND):
        connection.execute(delete(UserSession).where(UserSession.user_id == user.id))
