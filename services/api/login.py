"""Logging in and out, with the rate limit, the session rows and the audit trail; shared by the API
and the web form."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.access import Principal
from services.api.deps import Auth, Services
from services.api.queries import audit
from services.api.security.sessions import end_session, open_session
from signalhub.passwords import verify_password
from signalhub.store.workplace import User

log = logging.getLogger(__name__)


class RateLimitedError(Exception):
    """Too many failed logins for this username, or for any username, from this address; try later."""


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


def check_login(
    svc: Services, session: Session, username: str, password: str, address: str
) -> SignedIn | None:
    """A new session of the active user whose password matches, else None. Failures count against
    (username, address) and against the address alone in the database every API process shares; once the limit is reached even
    a right password is refused until the window passes. The audit log records successes (user
    id) and failures (no username)."""
    keys = svc.limiter.keys(username, address)
    if svc.limiter.blocked(session, keys):
        log.warning("login refused: rate limit reached")
        raise RateLimitedError
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    now = svc.clock()
    if not ok or user is None or not user.active:
        svc.limiter.failed(session, keys)
        audit.record(session, None, "login.failed", now)
        session.commit()
        log.info("login failed")
        return None
    svc.limiter.succeeded(session, keys)
    token = open_session(session, svc.signer, user.id, now)
    audit.record(session, Principal.of(user), "login", now)
    session.commit()
    return SignedIn(user, token)


def logout(svc: Services, session: Session, auth: Auth) -> None:
    """End the caller's session: its token is refused from now on, by every API process."""
    if end_session(session, auth.session_id):
        audit.record(session, auth.principal, "logout", svc.clock())
    session.commit()
