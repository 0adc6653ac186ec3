"""Composition root of the API process: `create_app` builds engine, sessions, signer, limiter,
metrics and templates from the settings passed in; `serve` runs it under uvicorn. The clock passed
in is the one of sessions and of the login rate limit as well."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import IntegrityError

from services.api.access import Denial, ForbiddenError, NotFoundError
from services.api.actions.common import ConflictError, InvalidInputError
from services.api.config import ApiSettings
from services.api.deps import LoginRequiredError, Services
from services.api.queries import audit
from services.api.queries.deadletters import reader
from services.api.routes import (
    api_admin,
    api_auth,
    api_cases,
    ops,
    reports,
    web_actions,
    web_pages,
    web_users,
)
from services.api.routes.ops import GaugeRefresher
from services.api.security.ratelimit import LoginLimiter
from services.api.security.tokens import TokenSigner
from services.api.template_globals import jinja_globals
from signalhub.domain.cases import CaseRuleError, TransitionError
from signalhub.metrics import Metrics
from signalhub.settings import Settings
from signalhub.store.base import make_engine, make_sessionmaker

HERE = Path(__file__).resolve().parent
log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _handlers(app: FastAPI) -> None:
    def status(code: int, text: str) -> Callable[[Request, Exception], Response]:
        def handle(request: Request, exc: Exception) -> Response:
            denial = getattr(exc, "denial", None)
            if isinstance(denial, Denial):
                _audit_denial(request.app.state.services, denial)
            if request.url.path.startswith("/ui"):
                return web_pages.error_page(request, code, text)
            return JSONResponse({"detail": text}, status_code=code)

        return handle

    app.add_exception_handler(NotFoundError, status(404, "not found"))
    app.add_exception_handler(ForbiddenError, status(403, "forbidden for your role"))
    app.add_exception_handler(TransitionError, lambda r, e: status(409, str(e))(r, e))
    app.add_exception_handler(CaseRuleError, lambda r, e: status(422, str(e))(r, e))
    app.add_exception_handler(InvalidInputError, lambda r, e: status(422, str(e))(r, e))
    app.add_exception_handler(ConflictError, lambda r, e: status(409, str(e))(r, e))
    app.add_exception_handler(IntegrityError, status(409, "conflicts with another record"))

    def to_login(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/ui/login", status_code=303)

    app.add_exception_handler(LoginRequiredError, to_login)


def _audit_denial(svc: Services, denial: Denial) -> None:
    """A refused attempt on an existing case goes to the audit log, in its own transaction (the
    request's own was rolled back)."""
    with svc.sessions() as session:
        audit.record(
            session,
            denial.who,
            "case.denied",
            svc.clock(),
            case_id=denial.case_id,
            detail={"wanted": denial.wanted},
        )
        session.commit()


def create_app(
    settings: Settings,
    api_settings: ApiSettings | None = None,
    *,
    metrics: Metrics | None = None,
    clock: Callable[[], datetime] = _utcnow,
    dead_letters: Callable[[], list[Any]] | None = None,
) -> FastAPI:
    """The FastAPI app. Connects to nothing until the first request; `dead_letters` defaults to
    reading the dead-letter topic of `settings.kafka`."""
    api = api_settings or ApiSettings()
    engine = make_engine(settings.db.url, echo=settings.db.echo, pool_size=settings.db.pool_size)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    region = settings.region()
    templates.env.globals.update(jinja_globals(region))
    svc = Services(
        settings=settings,
        api=api,
        sessions=make_sessionmaker(engine),
        signer=TokenSigner(settings.secret_key.get_secret_value(), timedelta(hours=api.session_hours)),
        limiter=LoginLimiter(
            api.login_max_failures,
            api.login_window_s,
            clock,
            max_per_address=api.login_max_failures_per_address,
        ),
        metrics=metrics or Metrics(process="api"),
        templates=templates,
        clock=clock,
        gauge_refresher=GaugeRefresher(api.metrics_refresh_s),
        region=region,
        dead_letters=dead_letters or reader(settings.kafka, limit=api.dlq_limit),
    )
    app = FastAPI(
        title="signalhub: рабочее место службы «Дети в семье»",
        version="1.0",
        description="Cases of the regional 'Children in Family' service: REST API and web UI.",
    )
    app.state.services = svc
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (ops, api_auth, api_cases, api_admin, web_pages, web_actions, web_users, reports):
        app.include_router(module.router)
    _handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path.startswith("/ui"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    app.router.on_shutdown.append(engine.dispose)
    return app


def uvicorn_config(app: FastAPI, api_settings: ApiSettings) -> Any:
    """How uvicorn serves the app. Its own proxy-header handling stays off: it would take any
    X-Forwarded-For from 127.0.0.1 as the client; `security.addresses` reads that header, and only
    from `SIGNALHUB_API_TRUSTED_PROXIES`. The access log is off (keep logs lean)."""
    import uvicorn

    return uvicorn.Config(
        app, host=api_settings.host, port=api_settings.port, access_log=False, proxy_headers=False,
        log_level="info",
    )  # fmt: skip


def serve(settings: Settings, api_settings: ApiSettings) -> None:
    """Run the app under uvicorn until interrupted."""
    import uvicorn

    app = create_app(settings, api_settings)
    log.info("api listening on %s:%d", api_settings.host, api_settings.port)
    uvicorn.Server(uvicorn_config(app, api_settings)).run()
