"""POST /api/v1/auth/login (bearer token), POST /api/v1/auth/logout, GET /api/v1/me."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from services.api import login as signin
from services.api.bodies import LoginBody, TokenOut
from services.api.deps import ApiAuth, ApiUser, DbSession, Services, Svc
from services.api.login import RateLimitedError, check_login
from services.api.security import addresses
from services.api.security.origin import origin_allowed

router = APIRouter(prefix="/api/v1", tags=["auth"])


def client_address(request: Request, svc: Services) -> str:
    """The address the login limit counts (X-Forwarded-For only from a trusted proxy)."""
    peer = request.client.host if request.client else None
    return addresses.client_address(peer, request.headers.get("x-forwarded-for"), svc.api.trusted_proxies)


@router.post("/auth/login", response_model=TokenOut)
def login(body: LoginBody, request: Request, svc: Svc, session: DbSession) -> TokenOut:
    """A bearer token for the API (valid `SIGNALHUB_API_SESSION_HOURS` or until logout). 5 failures
    per username and address within 5 minutes, counted across all API processes, block further
    attempts (429) until the window passes, as do 20 failures from one address over all usernames.
    A browser's login from a page of another origin is refused (403)."""
    if not origin_allowed(request, svc.api.public_origin):
        raise HTTPException(403, "login from another origin refused")
    try:
        signed = check_login(svc, session, body.username, body.password, client_address(request, svc))
    except RateLimitedError:
        raise HTTPException(429, "too many failed logins, try later") from None
    if signed is None:
        raise HTTPException(401, "wrong username or password")
    return TokenOut(token=signed.token, role=signed.user.role, display_name=signed.user.display_name)


@router.post("/auth/logout", status_code=204)
def logout(auth: ApiAuth, svc: Svc, session: DbSession) -> Response:
    """End this token's session: the token is refused (401) from now on."""
    signin.logout(svc, session, auth)
    return Response(status_code=204)


@router.get("/me")
def me(user: ApiUser) -> dict[str, str | None]:
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role.value,
        "display_name": user.display_name,
        "municipality_code": user.municipality_code,
        "agency": user.agency,
    }
