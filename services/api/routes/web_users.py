"""The coordinator's page of accounts in the web UI: every account, with forms to deactivate,
activate and end all sessions of a user.

The forms call the same actions as the REST routes (`actions.accounts`), so the role check, the
audit entry (ids only) and the refusal to deactivate oneself live there. After a post the browser
is redirected back (303) with a message code and the row's anchor: ids only, never a username.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.api.access import Role, require_role
from services.api.actions import accounts
from services.api.actions.common import ConflictError, Ctx
from services.api.deps import DbSession, Svc, WebAuth, web_form
from services.api.routes.web_pages import render
from signalhub.store import accounts as users

router = APIRouter(prefix="/ui", include_in_schema=False)

# The only conflict of the account actions: a coordinator deactivating their own account.
OWN_ACCOUNT = "self"


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, auth: WebAuth) -> Response:
    """Coordinator only (403 page for the other roles), accounts by username."""
    require_role(auth.principal, Role.COORDINATOR)
    return render(request, "users.html", auth, rows=users.accounts(session))


# Each action answers with the query of the page to come back to: a message code (and a count).
Action = Callable[[Ctx, str], dict[str, str]]


def _deactivate(ctx: Ctx, user_id: str) -> dict[str, str]:
    return {"msg": "deactivated" if accounts.set_active(ctx, user_id, False) else "unchanged"}


def _activate(ctx: Ctx, user_id: str) -> dict[str, str]:
    return {"msg": "activated" if accounts.set_active(ctx, user_id, True) else "unchanged"}


def _revoke(ctx: Ctx, user_id: str) -> dict[str, str]:
    return {"msg": "revoked", "n": str(accounts.revoke_sessions(ctx, user_id))}


def _run(action: Action, user_id: str, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    """Run `action`, commit, and come back to the list. Not found and forbidden propagate to the
    error pages; deactivating oneself comes back as an error code and changes nothing."""
    try:
        query = action(
            Ctx(session, auth.principal, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone),
            user_id,
        )
        session.commit()
    except ConflictError:
        session.rollback()
        query = {"err": OWN_ACCOUNT}
    return RedirectResponse(f"/ui/users?{urlencode(query)}#u-{quote(user_id)}", status_code=303)


# `web_form` checks the session's CSRF token of every post (403 without it).
@router.post("/users/{user_id}/deactivate", dependencies=[Depends(web_form)])
def deactivate(user_id: str, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    return _run(_deactivate, user_id, svc, session, auth)


@router.post("/users/{user_id}/activate", dependencies=[Depends(web_form)])
def activate(user_id: str, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    return _run(_activate, user_id, svc, session, auth)


@router.post("/users/{user_id}/sessions/revoke", dependencies=[Depends(web_form)])
def revoke_sessions(user_id: str, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    """Ending one's own sessions ends this one too: the redirect then leads to the login page."""
    return _run(_revoke, user_id, svc, session, auth)
