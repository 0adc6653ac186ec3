"""Checking a login, with the rate limit and the audit trail; shared by the API and the web form."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.api.access import Principal
from services.api.deps import Services
from services.api.queries import audit
from services.api.security.passwords import verify_password
from signalhub.store.workplace import User

log = logging.getLogger(__name__)


class RateLimitedError(Exception):
    """Too many failed logins for this username from this address; try again later."""


def check_login(svc: Services, session: Session, username: str, password: str, address: str) -> User | None:
    """The active user whose password matches, else None. Failures count against
    (username, address); once the limit is reached even a right password is refused until the
    window passes. The audit log records successes (user id) and failures (no username)."""
    key = svc.limiter.key(username, address)
    if svc.limiter.blocked(key):
        log.warning("login refused: rate limit reached")
        raise RateLimitedError
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    now = svc.clock()
    if not ok or user is None or not user.active:
        svc.limiter.failed(key)
        audit.record(session, None, "login.failed", now)
        session.commit()
        log.info("login failed")
        return None
    svc.limiter.succeeded(key)
    audit.record(session, Principal.of(user), "login", now)
    session.commit()
    return user
