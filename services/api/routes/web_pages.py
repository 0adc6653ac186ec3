"""Web pages (Russian, server-rendered): login, queue, case, possible matches, dashboard, audit,
operator's page. Every page checks the role; the case page is an audited read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from services.api.access import ForbiddenError, Role, case_scope, require_read, require_role
from services.api.actions.case_flow import PLAN_STATUSES
from services.api.actions.curators import candidates as curator_choices
from services.api.deps import DbSession, Services, Svc, WebAuth, services
from services.api.queries import audit, case_detail, match_review, practice, stats
from services.api.queries.cases import CaseFilters, curators, list_cases, municipalities
from services.api.queries.deadletters import BrokerUnavailableError
from signalhub.domain.cases import CaseStatus, Outcome, allowed_moves
from signalhub.domain.vocabulary import Agency
from signalhub.store.cases import Case

router = APIRouter(prefix="/ui", include_in_schema=False)


def render(request: Request, name: str, auth: WebAuth | None, status_code: int = 200, **ctx: Any) -> Response:
    svc = services(request)
    return svc.templates.TemplateResponse(
        request,
        name,
        {
            "user": auth.principal if auth else None,
            "csrf": svc.signer.csrf_token(auth.session_id) if auth else "",
            "now": svc.clock(),
            "flash": request.query_params.get("msg"),
            "error": request.query_params.get("err"),
            **ctx,
        },
        status_code=status_code,
    )


def error_page(request: Request, code: int, text: str) -> Response:
    return render(request, "error.html", None, status_code=code, code=code, text=text)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return render(request, "login.html", None)


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    svc: Svc,
    session: DbSession,
    auth: WebAuth,
    status: str = "open",
    priority: str = "",
    municipality: str = "",
    curator: str = "",
    overdue: bool = False,
) -> Response:
    if not auth.principal.reads_cases:
        return RedirectResponse("/ui/ops", status_code=303)
    f = CaseFilters(status or None, priority or None, municipality or None, curator or None, overdue)
    rows = list_cases(session, auth.principal, f, svc.clock())
    return render(
        request,
        "queue.html",
        auth,
        rows=rows,
        f=f,
        municipalities=municipalities(session, auth.principal),
        curators=curators(session),
        statuses=list(CaseStatus),
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    found = require_read(auth.principal, session.get(Case, case_id))
    now = svc.clock()
    view = case_detail.load(session, found, now, auth.principal)
    local, other = curator_choices(session, found)
    audit.record(session, auth.principal, "case.read", now, case_id=found.id, detail={"via": "ui"})
    session.commit()
    return render(
        request,
        "case.html",
        auth,
        v=view,
        c=found,
        local_curators=local,
        other_curators=other,
        agencies=list(Agency),
        outcomes=list(Outcome),
        stage_moves=allowed_moves(CaseStatus(found.status)),
        today=now.astimezone(svc.region.zone).date(),
        opened_on=found.opened_at.date(),
        plan_statuses=PLAN_STATUSES,
        can_act=auth.principal.acts_on_cases,
        is_coordinator=auth.principal.role is Role.COORDINATOR,
    )


@router.get("/matches", response_class=HTMLResponse)
def matches_page(request: Request, session: DbSession, auth: WebAuth) -> Response:
    require_role(auth.principal, Role.COORDINATOR, Role.CURATOR)
    ids = list(session.scalars(select(Case.id).where(case_scope(auth.principal))))
    return render(request, "matches.html", auth, items=match_review.pending_reviews(session, ids))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, svc: Svc, session: DbSession, auth: WebAuth, municipality: str = ""
) -> Response:
    s = stats.compute(session, svc.clock(), zone=svc.region.zone, municipality=municipality or None)
    return render(
        request,
        "dashboard.html",
        auth,
        s=s,
        municipalities=municipalities(session, auth.principal),
        practice=practice.measures(session, svc.region.zone, municipality=municipality or None),
        outcomes=practice.OUTCOMES,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: DbSession, auth: WebAuth, case_id: str = "") -> Response:
    require_role(auth.principal, Role.COORDINATOR)
    return render(
        request, "audit.html", auth, rows=audit.entries(session, case_id=case_id or None, limit=500)
    )


@router.get("/audit.csv")
def audit_csv(session: DbSession, auth: WebAuth, case_id: str = "") -> Response:
    require_role(auth.principal, Role.COORDINATOR)
    body = "".join(audit.to_csv(audit.entries(session, case_id=case_id or None, limit=100000)))
    return Response(
        "\ufeff" + body,  # a BOM so spreadsheet programs read the UTF-8 correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/ops", response_class=HTMLResponse)
def ops_page(request: Request, svc: Svc, session: DbSession, auth: WebAuth) -> Response:
    if auth.principal.role not in (Role.OPERATOR, Role.COORDINATOR):
        raise ForbiddenError
    letters, broker_error = _letters(svc)
    return render(
        request,
        "ops.html",
        auth,
        pipeline=stats.pipeline(session),
        letters=letters,
        broker_error=broker_error,
        dlq_topic=svc.settings.kafka.dlq_topic,
    )


def _letters(svc: Services) -> tuple[list[Any], bool]:
    if svc.dead_letters is None:
        return [], True
    try:
        return svc.dead_letters(), False
    except BrokerUnavailableError:
        return [], True
