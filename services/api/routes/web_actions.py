"""Form posts of the web UI: login, logout, and every case action (CSRF-checked by `deps.web_form`).

After an action the browser is redirected back (303) with a short message code; failures come
back as an error code, never as case data in the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from services.api import login as signin
from services.api.access import ForbiddenError, NotFoundError
from services.api.actions import case_flow, curators, matches, merge
from services.api.actions.common import Ctx, InvalidInputError
from services.api.deps import SESSION_COOKIE, DbSession, Form, Svc, WebAuth, authenticate
from services.api.login import RateLimitedError, check_login
from services.api.routes.api_auth import client_address
from services.api.routes.web_pages import render
from services.api.security.origin import origin_allowed
from signalhub.domain.cases import CaseRuleError
from signalhub.russian_format import parse_date_field, parse_datetime_field

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.post("/login")
async def login(request: Request, svc: Svc, session: DbSession) -> Response:
    if not origin_allowed(request, svc.api.public_origin):
        return render(request, "login.html", None, status_code=403, login_error="origin")
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        signed = check_login(svc, session, username, password, client_address(request, svc))
    except RateLimitedError:
        return render(request, "login.html", None, status_code=429, login_error="rate")
    if signed is None:
        return render(request, "login.html", None, status_code=401, login_error="wrong")
    response = RedirectResponse("/ui/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=int(svc.api.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=svc.api.https,
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, svc: Svc, session: DbSession) -> Response:
    """End the cookie's session (a copy of the cookie is refused from now on) and drop the cookie."""
    auth = authenticate(request, svc, session)
    if auth is not None and auth.via_cookie:
        signin.logout(svc, session, auth)
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


class _Form(dict[str, Any]):
    """A posted form with the zone its date-and-time fields are read in (the region's)."""

    def __init__(self, values: dict[str, Any], zone: ZoneInfo) -> None:
        super().__init__(values)
        self.zone = zone


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _date(form: dict[str, Any], name: str) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date_field(raw)
    except ValueError:
        raise InvalidInputError("bad date") from None


def _datetime(form: _Form, name: str) -> datetime:
    try:
        return parse_datetime_field(str(form.get(name) or ""), form.zone).astimezone(UTC)
    except ValueError:
        raise InvalidInputError("bad date and time") from None


def _checked(form: dict[str, Any], name: str) -> bool:
    return str(form.get(name) or "") in ("1", "on", "yes", "true")


def _text(form: dict[str, Any], name: str) -> str | None:
    return str(form.get(name) or "").strip() or None


def _required_date(form: dict[str, Any], name: str) -> date:
    value = _date(form, name)
    if value is None:
        raise InvalidInputError("date required")
    return value


ACTIONS: dict[str, Callable[[Ctx, str, _Form], object]] = {
    "acknowledge": lambda c, cid, f: case_flow.acknowledge(c, cid),
    "status": lambda c, cid, f: case_flow.advance_status(c, cid, str(f.get("status", ""))),
    "curator": lambda c, cid, f: curators.assign_curator(
        c, cid, str(f.get("curator_id", "")), confirm_other_municipality=_checked(f, "confirm_other")
    ),
    "conference": lambda c, cid, f: case_flow.schedule_conference(
        c,
        cid,
        scheduled_at=_datetime(f, "scheduled_at"),
        agencies=_as_list(f.get("agencies")),
        protocol=str(f.get("protocol") or "") or None,
        recommendations=str(f.get("recommendations") or "") or None,
        follow_up_date=_date(f, "follow_up_date"),
    ),
    "plan": lambda c, cid, f: case_flow.add_plan_item(
        c,
        cid,
        action=str(f.get("action", "")),
        agency=str(f.get("agency", "")),
        due_date=_required_date(f, "due_date"),
    ),
    "plan-status": lambda c, cid, f: case_flow.update_plan_item(
        c, cid, str(f.get("item_id", "")), str(f.get("status", ""))
    ),
    "review": lambda c, cid, f: case_flow.set_review_date(c, cid, _required_date(f, "review_date")),
    "close": lambda c, cid, f: case_flow.close_case(
        c, cid, str(f.get("outcome", "")), confirmed=_checked(f, "confirm"), reason=_text(f, "reason")
    ),
    "reopen": lambda c, cid, f: case_flow.reopen_case(c, cid, str(f.get("reason") or "") or None),
    "merge": lambda c, cid, f: merge.merge_cases(
        c, cid, str(f.get("source_number", "")), confirmed=_checked(f, "confirm"), reason=_text(f, "reason")
    ),
    "split-back": lambda c, cid, f: merge.split_back(
        c, cid, confirmed=_checked(f, "confirm"), reason=_text(f, "reason")
    ),
    "confirm-match": lambda c, cid, f: matches.confirm_match(c, str(f.get("link_id", ""))),
    "split-match": lambda c, cid, f: matches.split_match(c, str(f.get("link_id", ""))),
}
ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (InvalidInputError, "input"),
    (IntegrityError, "conflict"),
)


@router.post("/cases/{case_id}/{action}")
def case_action(
    request: Request, case_id: str, action: str, svc: Svc, session: DbSession, auth: WebAuth, form: Form
) -> Response:
    """Run `action` on the case and come back to where the form was (the case or the match list)."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFoundError
    back = "/ui/matches" if form.get("back") == "matches" else f"/ui/cases/{case_id}"
    try:
        handler(
            Ctx(session, auth.principal, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone),
            case_id,
            _Form(form, svc.region.zone),
        )
        session.commit()
    except (NotFoundError, ForbiddenError):
        session.rollback()
        raise
    except CaseRuleError as e:
        session.rollback()
        return RedirectResponse(f"{back}?err={e.code}", status_code=303)
    except tuple(e for e, _ in ERRORS) as e:
        session.rollback()
        code = next(c for t, c in ERRORS if isinstance(e, t))
        return RedirectResponse(f"{back}?err={code}", status_code=303)
    return RedirectResponse(f"{back}?msg={action}", status_code=303)
