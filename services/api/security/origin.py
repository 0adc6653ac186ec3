"""The Origin check of logins: a browser posting a login from another site's page is refused.

Browsers send `Origin` with every POST; a login whose Origin is neither the request's own
(scheme and Host) nor `SIGNALHUB_API_PUBLIC_ORIGIN` comes from a page we did not serve (login
CSRF, credential stuffing from a hostile page). A request without Origin is not a browser's form
post (an API client), and is left to the rate limit.
"""

from __future__ import annotations

from starlette.requests import Request


def origin_allowed(request: Request, public_origin: str | None) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    allowed = {own.lower()} | ({public_origin.rstrip("/").lower()} if public_origin else set())
    return origin.rstrip("/").lower() in allowed
