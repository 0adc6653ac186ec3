"""The gateway's FastAPI app: `POST /v1/signals`, `GET /healthz`, OpenAPI docs at `/docs`.

Contracts of `POST /v1/signals` (JSON of `RiskSignal`, header `X-API-Key`):
- 401 without a key or with an unknown one; 429 with `Retry-After` (whole seconds) past the key's
  rate (`RateLimiter`: `SIGNALHUB_GATEWAY_RATE_PER_S`, `_RATE_BURST`); 413 when the body is over
  the limit (declared or actual); 415 unless `Content-Type` is `application/json` (parameters such
  as `charset=utf-8` allowed); 400 when the body is not JSON, is nested deeper than a signal can
  be (`MAX_DEPTH`), or is not a JSON object; 403 when the body's `agency` is not the key's
  (checked before the other fields, so a key can never publish for another agency); 400 with
  every field error (`errors: [{path, reason}]`, no values) when the signal is invalid;
  503 with `Retry-After` when the broker did not acknowledge (resend the same body);
  202 with the `event_id` only after the broker has acknowledged.
- Idempotent on `event_id`: a resend is published again with the same id and answered 202 with
  it; intake treats the second copy as a duplicate.
Nothing the client sent is echoed in an error, and nothing is logged but ids and reasons.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import orjson
from fastapi import FastAPI, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from producers.gateway.keys import KeyStore
from producers.gateway.limits import BodyLimit, RateLimiter
from producers.publisher import Publisher, PublishError
from signalhub.metrics import Metrics
from signalhub.signals import RiskSignalModel, SignalValidationError, validate_signal

log = logging.getLogger(__name__)
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="The agency's gateway key")
_SIGNAL_SCHEMA_REF = {"$ref": "#/components/schemas/RiskSignalModel"}
# A signal is an object of lists of objects (children[0].surname): nothing valid is deeper.
MAX_DEPTH = 4


def create_app(
    publisher: Publisher,
    keys: KeyStore,
    *,
    max_body_bytes: int,
    rate: RateLimiter | None = None,
    metrics: Metrics | None = None,
) -> FastAPI:
    """The app; the caller owns `publisher` (close it on shutdown). `rate` defaults to 200/s per
    key with bursts of 400 (`GatewaySettings`)."""
    metrics = metrics if metrics is not None else Metrics(process="gateway")
    rate = rate if rate is not None else RateLimiter(200.0, 400)
    app = FastAPI(
        title="signalhub signal gateway",
        version="1",
        description="Agency systems publish family-risk signals (RiskSignal) over HTTP.",
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.middleware("http")
    async def count(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if request.url.path == "/v1/signals":
            agency = keys.agency_of(request.headers.get("X-API-Key")) or "unknown"
            metrics.gateway_requests.labels(agency, str(response.status_code)).inc()
            if response.status_code == 202:
                metrics.published.labels(agency).inc()
        return response

    @app.post(
        "/v1/signals",
        status_code=202,
        tags=["signals"],
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": _SIGNAL_SCHEMA_REF}}}
        },
        responses={400: {}, 401: {}, 403: {}, 413: {}, 415: {}, 429: {}, 503: {}},
    )
    async def post_signal(request: Request, api_key: str | None = Security(API_KEY)) -> JSONResponse:
        """Publish one signal as the key's agency; 202 once the broker has it."""
        agency = keys.agency_of(api_key)
        if agency is None or api_key is None:
            return _error(401, "missing or invalid API key (header X-API-Key)")
        wait_s = rate.wait_s(api_key)
        if wait_s > 0:
            retry = str(max(1, math.ceil(wait_s)))
            return _error(429, "rate limit of this key exceeded; retry later", {"Retry-After": retry})
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return _error(415, "Content-Type must be application/json")
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError as e:
            if "depth limit" in str(e):
                return _error(400, f"body is nested deeper than a signal can be (at most {MAX_DEPTH} levels)")
            return _error(400, "body is not valid JSON")
        if _depth(body) > MAX_DEPTH:
            return _error(400, f"body is nested deeper than a signal can be (at most {MAX_DEPTH} levels)")
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object (a RiskSignal)")
        if body.get("agency") != agency:
            return _error(403, f"this key publishes only signals of agency {agency}")
        try:
            signal = validate_signal(body, publisher.rules)
        except SignalValidationError as e:
            errors = [{"path": err.path, "reason": err.reason} for err in e.errors]
            return JSONResponse({"detail": "invalid signal", "errors": errors}, status_code=400)
        try:
            await run_in_threadpool(publisher.publish, signal)
        except PublishError as e:
            log.warning("Gateway could not publish %s: %s", signal.event_id, e)
            return _error(503, "broker did not acknowledge; resend the same signal", {"Retry-After": "5"})
        return JSONResponse({"event_id": str(signal.event_id), "status": "accepted"}, status_code=202)

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of parsed JSON (scalars 0), counted no further than `limit`."""
    if limit <= 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the RiskSignal body, which the endpoint validates itself."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        signal = RiskSignalModel.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(signal.pop("$defs", {}))
        components["RiskSignalModel"] = signal
        app.openapi_schema = schema
    return app.openapi_schema
