"""Pure security pieces of the workplace: signed tokens, CSRF tokens, the login limiter, passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.api.security.passwords import hash_password, verify_password
from services.api.security.ratelimit import LoginLimiter
from services.api.security.tokens import TokenSigner

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_token_round_trip_expiry_and_forgery() -> None:
    signer = TokenSigner("secret", timedelta(hours=8))
    token = signer.issue("user-1", NOW)
    claims = signer.verify(token, NOW + timedelta(hours=7))
    assert claims is not None
    assert claims.user_id == "user-1"
    assert signer.verify(token, NOW + timedelta(hours=8, seconds=1)) is None
    assert TokenSigner("other", timedelta(hours=8)).verify(token, NOW) is None
    body, sig = token.split(".")
    assert signer.verify(body + "." + sig[:-2] + "AA", NOW) is None
    assert signer.verify("garbage", NOW) is None
    assert signer.verify("", NOW) is None


def test_csrf_token_is_bound_to_the_session() -> None:
    signer = TokenSigner("secret", timedelta(hours=8))
    a = signer.verify(signer.issue("u", NOW), NOW)
    b = signer.verify(signer.issue("u", NOW), NOW)
    assert a is not None
    assert b is not None
    assert signer.csrf_valid(a.session_id, signer.csrf_token(a.session_id))
    assert not signer.csrf_valid(a.session_id, signer.csrf_token(b.session_id))
    assert not signer.csrf_valid(a.session_id, None)


def test_limiter_blocks_after_five_failures_until_the_window_passes() -> None:
    t = [0.0]
    limiter = LoginLimiter(5, 300.0, clock=lambda: t[0])
    key = limiter.key("Coord", "10.0.0.1")
    assert key == limiter.key("coord", "10.0.0.1")
    assert "coord" not in key
    for _ in range(5):
        assert not limiter.blocked(key)
        limiter.failed(key)
    assert limiter.blocked(key)
    assert not limiter.blocked(limiter.key("coord", "10.0.0.2"))
    t[0] = 301.0
    assert not limiter.blocked(key)
    limiter.failed(key)
    limiter.succeeded(key)
    assert not limiter.blocked(key)


def test_passwords_are_argon2_and_unknown_users_fail() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "s3cret")
