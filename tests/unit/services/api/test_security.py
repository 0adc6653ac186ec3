"""Pure security pieces of the workplace: signed tokens, CSRF tokens, stored session ids, the login
limiter's keys, passwords. What needs the database is in tests/integration/api/test_sessions.py."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from services.api.security.ratelimit import LoginLimiter
from services.api.security.sessions import session_key
from services.api.security.tokens import TokenSigner
from signalhub.passwords import hash_password, verify_password

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_token_round_trip_expiry_and_forgery() -> None:
    signer = TokenSigner("secret", timedelta(hours=8))
    token, issued = signer.issue("user-1", NOW)
    claims = signer.verify(token, NOW + timedelta(hours=7))
    assert claims is not None
    assert claims == issued
    assert claims.user_id == "user-1"
    assert claims.expires_at == NOW + timedelta(hours=8)
    assert signer.verify(token, NOW + timedelta(hours=8, seconds=1)) is None
    assert TokenSigner("other", timedelta(hours=8)).verify(token, NOW) is None
    body, sig = token.split(".")
    assert signer.verify(body + "." + sig[:-2] + "AA", NOW) is None
    assert signer.verify("garbage", NOW) is None
    assert signer.verify("", NOW) is None


def test_every_token_is_a_new_session() -> None:
    signer = TokenSigner("secret", timedelta(hours=8))
    (first, a), (second, b) = signer.issue("u", NOW), signer.issue("u", NOW)
    assert first != second
    assert a.session_id != b.session_id
    assert len(a.session_id) >= 20  # 16 random bytes


def test_csrf_token_is_bound_to_the_session() -> None:
    signer = TokenSigner("secret", timedelta(hours=8))
    _, a = signer.issue("u", NOW)
    _, b = signer.issue("u", NOW)
    assert signer.csrf_valid(a.session_id, signer.csrf_token(a.session_id))
    assert not signer.csrf_valid(a.session_id, signer.csrf_token(b.session_id))
    assert not signer.csrf_valid(a.session_id, None)


def test_a_stored_session_id_is_a_digest_of_the_tokens() -> None:
    _, claims = TokenSigner("secret", timedelta(hours=8)).issue("u", NOW)
    stored = session_key(claims.session_id)
    assert stored == hashlib.sha256(claims.session_id.encode()).hexdigest()
    assert claims.session_id not in stored
    assert session_key(claims.session_id + "x") != stored


def test_limiter_keys_are_digests_of_username_and_address() -> None:
    keys = LoginLimiter.keys("Coord", "10.0.0.1")
    assert keys == LoginLimiter.keys("coord", "10.0.0.1")
    assert keys.pair != LoginLimiter.keys("coord", "10.0.0.2").pair
    assert keys.pair != LoginLimiter.keys("coord2", "10.0.0.1").pair
    assert keys.address == LoginLimiter.keys("coord2", "10.0.0.1").address  # one count per address
    assert keys.address != keys.pair
    for key in (keys.pair, keys.address):
        assert len(key) == 64
        assert "coord" not in key
        assert "10.0.0.1" not in key


def test_client_address_trusts_forwarded_for_only_from_configured_proxies() -> None:
    from pydantic import TypeAdapter

    from services.api.config import ApiSettings
    from services.api.security.addresses import client_address

    proxies = TypeAdapter(ApiSettings.model_fields["trusted_proxies"].annotation).validate_python(
        ["10.0.0.5", "172.18.0.0/16"]
    )
    assert client_address("203.0.113.9", "198.51.100.1", []) == "203.0.113.9"
    assert client_address("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert client_address("10.0.0.5", "198.51.100.1", proxies) == "198.51.100.1"
    assert client_address("10.0.0.5", "6.6.6.6, 198.51.100.1, 172.18.0.2", proxies) == "198.51.100.1"
    assert client_address("10.0.0.5", "not-an-ip", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    assert client_address(None, "198.51.100.1", proxies) == "unknown"


def test_passwords_are_argon2_and_unknown_users_fail() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "s3cret")
