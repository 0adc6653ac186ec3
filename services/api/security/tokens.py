"""Signed, expiring session tokens (cookie and bearer alike) and per-session CSRF tokens.

A token is `<user_id>.<session_id>.<expires epoch s>.<HMAC-SHA256>` in URL-safe base64. The
signature only proves the server issued it: a token is in force while its session row exists (see
`security.sessions`: logout and revocation delete the row), it has not expired and its user is
active. The CSRF token of a session is an HMAC of its session id under a separate derived key, so a form
token can be checked without storing anything and is useless for another session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Claims:
    user_id: str
    session_id: str
    expires: int

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and verifies tokens with keys derived from the process's secret key."""

    def __init__(self, secret: str, lifetime: timedelta) -> None:
        if not secret:
            raise ValueError("secret key must not be empty")
        root = secret.encode("utf-8")
        self._session_key = hmac.new(root, b"signalhub-session", hashlib.sha256).digest()
        self._csrf_key = hmac.new(root, b"signalhub-csrf", hashlib.sha256).digest()
        self._lifetime = lifetime

    def issue(self, user_id: str, now: datetime) -> tuple[str, Claims]:
        """A new token for a new session id, with its claims (for the session row)."""
        claims = Claims(user_id, secrets.token_urlsafe(16), int((now + self._lifetime).timestamp()))
        body = f"{claims.user_id}.{claims.session_id}.{claims.expires}"
        return f"{_b64(body.encode())}.{self._sign(body)}", claims

    def verify(self, token: str, now: datetime) -> Claims | None:
        """The token's claims, or None if it is malformed, forged or expired."""
        try:
            encoded, signature = token.split(".", 1)
            body = _unb64(encoded).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        parts = body.split(".")
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        claims = Claims(user_id=parts[0], session_id=parts[1], expires=int(parts[2]))
        if claims.expires <= now.timestamp():
            return None
        return claims

    def csrf_token(self, session_id: str) -> str:
        return _b64(hmac.new(self._csrf_key, session_id.encode(), hashlib.sha256).digest())

    def csrf_valid(self, session_id: str, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf_token(session_id))

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._session_key, body.encode(), hashlib.sha256).digest())
