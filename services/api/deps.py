"""Request-scoped dependencies: the database session, the authenticated user, CSRF checks.

Authentication: `Authorization: Bearer <token>` (API clients) or the `sh_session` cookie (the web
UI). A cookie-authenticated request that changes state must carry the session's CSRF token, in
the `csrf_token` form field (web forms) or the `X-CSRF-Token` header (scripts); bearer requests
need none, since a browser never attaches a bearer token on its own.

A token authenticates while its signature holds and its session row is in force (not ended, not
expired, user active): one primary-key query per request (`security.sessions.user_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from services.api.access import Principal
from services.api.config import ApiSettings
from services.api.security.ratelimit import LoginLimiter
from services.api.security.sessions import user_of
from services.api.security.tokens import TokenSigner
from signalhub.metrics import Metrics
from signalhub.region import Region
from signalhub.settings import Settings

SESSION_COOKIE = "sh_session"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Services:
    """Everything the routes need, built once by the composition root (`app.create_app`)."""

    settings: Settings
    api: ApiSettings
    sessions: sessionmaker[Session]
    signer: TokenSigner
    limiter: LoginLimiter
    metrics: Metrics
    templates: Jinja2Templates
    clock: Callable[[], datetime]
    gauge_refresher: Any
    region: Region  # its zone is the one pages show times in and forms read them in
    dead_letters: Callable[[], list[Any]] | None = None


@dataclass(frozen=True)
class Auth:
    principal: Principal
    session_id: str
    via_cookie: bool


class LoginRequiredError(Exception):
    """Raised by web routes; the app answers with a redirect to the login page."""


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def db(svc: Annotated[Services, Depends(services)]) -> Iterator[Session]:
    with svc.sessions() as session:
        yield session


def _token(request: Request) -> tuple[str | None, bool]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


def authenticate(request: Request, svc: Services, session: Session) -> Auth | None:
    token, via_cookie = _token(request)
    if not token:
        return None
    now = svc.clock()
    claims = svc.signer.verify(token, now)
    if claims is None:
        return None
    user = user_of(session, claims, now)
    if user is None:
        return None
    return Auth(Principal.of(user), claims.session_id, via_cookie)


def api_auth(
    request: Request, svc: Annotated[Services, Depends(services)], session: Annotated[Session, Depends(db)]
) -> Auth:
    auth = authenticate(request, svc, session)
    if auth is None:
        raise HTTPException(401, "authentication required", headers={"WWW-Authenticate": "Bearer"})
    if (
        auth.via_cookie
        and request.method in UNSAFE
        and not svc.signer.csrf_valid(auth.session_id, request.headers.get("x-csrf-token"))
    ):
        raise HTTPException(403, "CSRF token missing or wrong")
    return auth


def api_user(auth: Annotated[Auth, Depends(api_auth)]) -> Principal:
    return auth.principal


def web_auth(
    request: Request, svc: Annotated[Services, Depends(services)], session: Annotated[Session, Depends(db)]
) -> Auth:
    auth = authenticate(request, svc, session)
    if auth is None or not auth.via_cookie:
        raise LoginRequiredError
    return auth


async def web_form(request: Request, auth: Annotated[Auth, Depends(web_auth)]) -> dict[str, Any]:
    """The posted form, after its CSRF token was checked against the session."""
    form = await request.form()
    svc = services(request)
    token = form.get("csrf_token")
    if not svc.signer.csrf_valid(auth.session_id, token if isinstance(token, str) else None):
        raise HTTPException(403, "CSRF token missing or wrong")
    return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else v) for k, v in form.items()}


DbSession = Annotated[Session, Depends(db)]
ApiAuth = Annotated[Auth, Depends(api_auth)]
ApiUser = Annotated[Principal, Depends(api_user)]
WebAuth = Annotated[Auth, Depends(web_auth)]
Svc = Annotated[Services, Depends(services)]
Form = Annotated[dict[str, Any], Depends(web_form)]
