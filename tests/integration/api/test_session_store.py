"""The session rows and the login limiter's table, on SQLite and PostgreSQL, below the HTTP layer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.api.security.ratelimit import LoginLimiter
from services.api.security.sessions import end_session, end_user_sessions, open_session, user_of
from services.api.security.tokens import TokenSigner
from signalhub.store import migrate
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.workplace import LoginFailure, User, UserSession

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SIGNER = TokenSigner("secret", timedelta(hours=8))


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _user(sessions: sessionmaker[Session], username: str) -> str:
    with sessions() as s:
        user = User(username=username, password_hash="x", role="curator", display_name="Т.", created_at=NOW)
        s.add(user)
        s.commit()
        return user.id


def test_a_session_row_is_a_digest_and_is_in_force_until_it_expires_or_ends(
    sessions: sessionmaker[Session],
) -> None:
    uid = _user(sessions, "cur")
    with sessions() as s:
        token = open_session(s, SIGNER, uid, NOW)
        s.commit()
    claims = SIGNER.verify(token, NOW)
    assert claims is not None
    with sessions() as s:
        [row] = s.scalars(select(UserSession))
        assert claims.session_id not in row.id
        assert (row.user_id, row.created_at, row.expires_at) == (uid, NOW, NOW + timedelta(hours=8))
        found = user_of(s, claims, NOW + timedelta(hours=7, minutes=59))
        assert found is not None
        assert found.id == uid
        assert user_of(s, claims, NOW + timedelta(hours=8)) is None
        other = SIGNER.verify(open_session(s, SIGNER, uid, NOW), NOW)
        assert other is not None
        assert end_session(s, claims.session_id)
        assert not end_session(s, claims.session_id)
        assert user_of(s, claims, NOW) is None
        assert user_of(s, other, NOW) is not None


def test_a_session_is_only_its_own_users(sessions: sessionmaker[Session]) -> None:
    a, b = _user(sessions, "a"), _user(sessions, "b")
    with sessions() as s:
        claims = SIGNER.verify(open_session(s, SIGNER, a, NOW), NOW)
        open_session(s, SIGNER, a, NOW)
        open_session(s, SIGNER, b, NOW)
        s.commit()
        assert claims is not None
        forged = type(claims)(user_id=b, session_id=claims.session_id, expires=claims.expires)
        assert user_of(s, forged, NOW) is None
        assert end_user_sessions(s, a) == 2
        s.commit()
        assert s.scalar(select(func.count()).select_from(UserSession)) == 1


def test_limiter_counts_failures_per_key_within_the_window(sessions: sessionmaker[Session]) -> None:
    clock = [NOW]
    limiter = LoginLimiter(5, 300.0, clock=lambda: clock[0])
    key, other = LoginLimiter.keys("coord", "10.0.0.1"), LoginLimiter.keys("coord", "10.0.0.2")
    with sessions() as s:
        for _ in range(5):
            assert not limiter.blocked(s, key)
            limiter.failed(s, key)
        limiter.failed(s, other)
        s.commit()
    with sessions() as s:
        assert limiter.blocked(s, key)
        assert not limiter.blocked(s, other)
        clock[0] = NOW + timedelta(seconds=299)
        assert limiter.blocked(s, key)
        clock[0] = NOW + timedelta(seconds=300)
        assert not limiter.blocked(s, key)


def test_limiter_success_clears_its_key_and_failures_prune_old_rows(sessions: sessionmaker[Session]) -> None:
    clock = [NOW]
    limiter = LoginLimiter(2, 300.0, clock=lambda: clock[0])
    key, other = LoginLimiter.keys("a", "h"), LoginLimiter.keys("b", "h")
    with sessions() as s:
        for k in (key, key, other, other):
            limiter.failed(s, k)
        limiter.succeeded(s, key)
        s.commit()
        assert not limiter.blocked(s, key)
        assert limiter.blocked(s, other)
        clock[0] = NOW + timedelta(seconds=301)
        limiter.failed(s, key)
        s.commit()
        assert sorted(s.scalars(select(LoginFailure.key))) == sorted([key.pair, key.address])


def test_limiter_counts_an_address_over_all_usernames(sessions: sessionmaker[Session]) -> None:
    """Spraying: one failure for each of many usernames from one address is limited too; another
    address is not, and a success does not clear the address's count."""
    limiter = LoginLimiter(5, 300.0, clock=lambda: NOW, max_per_address=20)
    with sessions() as s:
        for n in range(20):
            keys = LoginLimiter.keys(f"user{n}", "10.0.0.9")
            assert not limiter.blocked(s, keys)
            limiter.failed(s, keys)
        limiter.succeeded(s, LoginLimiter.keys("user0", "10.0.0.9"))
        s.commit()
        assert limiter.blocked(s, LoginLimiter.keys("somebody-new", "10.0.0.9"))
        assert not limiter.blocked(s, LoginLimiter.keys("somebody-new", "10.0.0.10"))
