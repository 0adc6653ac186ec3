"""/healthz (alive), /readyz (database answers) and /metrics (Prometheus text).

The case gauges (open cases by priority, overdue acknowledgements by priority) are refreshed from
the database on a scrape, at most once per `metrics_refresh_s`.
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from services.api.deps import Services, Svc
from signalhub.domain.cases import OPEN
from signalhub.store.cases import Case

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)
_refresh_lock = threading.Lock()
LEVELS = ("urgent", "high", "normal")


def refresh_case_gauges(svc: Services) -> None:
    now = svc.clock()
    open_statuses = [s.value for s in OPEN]
    with svc.sessions() as session:
        open_rows = dict(
            session.execute(
                select(Case.priority_level, func.count())
                .where(Case.status.in_(open_statuses))
                .group_by(Case.priority_level)
            ).all()
        )
        overdue_rows = dict(
            session.execute(
                select(Case.priority_level, func.count())
                .where(
                    Case.status.in_(open_statuses),
                    Case.acknowledged_at.is_(None),
                    Case.ack_deadline < now,
                )
                .group_by(Case.priority_level)
            ).all()
        )
    for level in LEVELS:
        svc.metrics.open_cases.labels(priority=level).set(open_rows.get(level, 0))
        svc.metrics.overdue_acks.labels(priority=level).set(overdue_rows.get(level, 0))


class GaugeRefresher:
    """Refreshes on scrape, no more often than every `interval_s` seconds."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self.last = float("-inf")

    def maybe(self, svc: Services) -> None:
        with _refresh_lock:
            if time.monotonic() - self.last < self.interval_s:
                return
            try:
                refresh_case_gauges(svc)
            except Exception as e:  # a scrape must answer even when the database does not
                log.warning("case gauges not refreshed: %s", type(e).__name__)
                return
            self.last = time.monotonic()


@router.get("/healthz", include_in_schema=False)
def healthz() -> Response:
    return Response("ok\n", media_type="text/plain")


@router.get("/readyz", include_in_schema=False)
def readyz(svc: Svc) -> Response:
    try:
        with svc.sessions() as session:
            session.execute(text("SELECT 1"))
    except Exception as e:
        log.warning("not ready: %s", type(e).__name__)
        return Response("not ready\n", status_code=503, media_type="text/plain")
    return Response("ready\n", media_type="text/plain")


@router.get("/metrics", include_in_schema=False)
def metrics(svc: Svc) -> Response:
    refresher: GaugeRefresher = svc.gauge_refresher
    refresher.maybe(svc)
    return Response(generate_latest(svc.metrics.registry), media_type=CONTENT_TYPE_LATEST)
