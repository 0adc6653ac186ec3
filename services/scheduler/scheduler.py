"""One scheduler pass (`tick`) and the loop around it (`run`); the clock is passed in.

Each part of a pass commits on its own, so a failure in one (say retention) does not undo the
alerts another raised. Metrics: alerts raised by type, overdue acknowledgements by priority, rows
removed by retention by kind and action (expired login sessions as kind `session`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.scheduler.deadlines import overdue_acks
from services.scheduler.retention import apply_retention
from services.scheduler.reviews import reviews_due
from services.scheduler.sessions import remove_expired_sessions
from services.scheduler.settings import SchedulerSettings
from signalhub.domain.vocabulary import PriorityLevel
from signalhub.metrics import Metrics

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class TickReport:
    ack_overdue: int = 0
    review_due: int = 0
    retention: dict[tuple[str, str], int] = field(default_factory=dict)
    expired_sessions: int = 0


class Scheduler:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: SchedulerSettings,
        alert_topic: str,
        metrics: Metrics,
        clock: Clock = utcnow,
        *,
        zone: ZoneInfo,
    ) -> None:
        self._zone = zone
        self._sessions = sessions
        self._settings = settings
        self._topic = alert_topic
        self._metrics = metrics
        self._clock = clock

    def tick(self, now: datetime | None = None) -> TickReport:
        """One pass at `now` (default: the clock): deadlines, reminders, retention, expired sessions."""
        now = now or self._clock()
        report = TickReport()
        with self._sessions() as session, session.begin():
            report.ack_overdue, overdue = overdue_acks(session, now, self._topic)
        for level in PriorityLevel:
            self._metrics.overdue_acks.labels(priority=level.value).set(overdue.get(level.value, 0))
        self._metrics.scheduler_alerts.labels(alert_type="ack_overdue").inc(report.ack_overdue)
        with self._sessions() as session, session.begin():
            report.review_due = reviews_due(session, now, self._zone, self._topic)
        self._metrics.scheduler_alerts.labels(alert_type="review_due").inc(report.review_due)
        if self._settings.retention_enabled:
            with self._sessions() as session, session.begin():
                report.retention = dict(apply_retention(session, now, self._settings))
            for (kind, action), count in report.retention.items():
                self._metrics.retention_removed.labels(kind=kind, action=action).inc(count)
        with self._sessions() as session, session.begin():
            report.expired_sessions = remove_expired_sessions(session, now)
        self._metrics.retention_removed.labels(kind="session", action="deleted").inc(report.expired_sessions)
        log.info(
            "Scheduler pass: %d ack_overdue, %d review_due, retention %s, %d expired sessions removed",
            report.ack_overdue,
            report.review_due,
            {f"{k}:{a}": n for (k, a), n in report.retention.items()},
            report.expired_sessions,
        )
        return report

    def run(self, stop: threading.Event) -> None:
        """Pass after pass, `interval_s` apart, until `stop`."""
        while not stop.is_set():
            try:
                self.tick()
            except SQLAlchemyError as e:
                self._metrics.transient_errors.labels(component="scheduler").inc()
                log.warning("Scheduler pass failed (%s); next pass as usual", type(e).__name__)
            stop.wait(self._settings.interval_s)
