"""Server-side sessions: the row behind every token (table `sessions`).

A session row's id is the SHA-256 of the random session id inside the token, so the table alone
gives nothing to present as a token (and a token needs the signing key besides). A row that exists
and has not expired, of an active user, is a session in force: `user_of` checks all of it in one
query on the primary key. Ending a session deletes its row; expired rows are deleted by the
scheduler (`services.scheduler.sessions`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.api.security.tokens import Claims, TokenSigner
from signalhub.store.workplace import User, UserSession


def session_key(session_id: str) -> str:
    """The stored form of a token's session id."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(session: Session, signer: TokenSigner, user_id: str, now: datetime) -> str:
    """A token for a new session of `user_id`; its row is added in the caller's transaction."""
    token, claims = signer.issue(user_id, now)
    session.add(
        UserSession(
            id=session_key(claims.session_id), user_id=user_id, created_at=now, expires_at=claims.expires_at
        )
    )
    return token


def user_of(session: Session, claims: Claims, now: datetime) -> User | None:
    """The active user of the session the claims name, if that session is still in force."""
    return session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.id == session_key(claims.session_id),
            UserSession.user_id == claims.user_id,
            UserSession.expires_at > now,
            User.active.is_(True),
        )
    )


def end_session(session: Session, session_id: str) -> bool:
    """Delete one session's row; True if there was one."""
    result = session.execute(delete(UserSession).where(UserSession.id == session_key(session_id)))
    return bool(result.rowcount or 0)  # type: ignore[attr-defined]


def end_user_sessions(session: Session, user_id: str) -> int:
    """Delete every session of the user; returns how many there were."""
    result = session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
