"""Statistics for the dashboard. Aggregates only: no person, no case id leaves this module.

Grouping by day and month is done in Python over a bounded window, so the same code runs on
SQLite and PostgreSQL. Days and months are the region's (`zone`); signals count on the day they
occurred, not the day intake read them (a nightly export of a week's signals is spread over the week).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signalhub.domain.cases import OPEN
from signalhub.store.cases import Case
from signalhub.store.registry import Signal


@dataclass(frozen=True)
class Stats:
    days: list[str]
    signals_by_agency: dict[str, list[int]]
    open_by_priority: dict[str, int]
    open_by_status: dict[str, int]
    median_ack_hours: float | None
    acknowledged_count: int
    months: list[str]
    outcomes_by_month: dict[str, list[int]]
    open_by_municipality: dict[str, int]
    municipality: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "days": self.days,
            "signals_by_agency": self.signals_by_agency,
            "open_by_priority": self.open_by_priority,
            "open_by_status": self.open_by_status,
            "median_ack_hours": self.median_ack_hours,
            "acknowledged_count": self.acknowledged_count,
            "months": self.months,
            "outcomes_by_month": self.outcomes_by_month,
            "open_by_municipality": self.open_by_municipality,
            "municipality": self.municipality,
        }


def _months_back(now: datetime, n: int) -> list[str]:
    y, m = now.year, now.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def compute(
    session: Session,
    now: datetime,
    *,
    zone: ZoneInfo,
    days: int = 30,
    months: int = 12,
    municipality: str | None = None,
) -> Stats:
    """Signals per agency per day (last `days`), open cases by priority/status/municipality, median
    hours from opening to acknowledgement, outcomes per month (last `months`); optionally for one
    municipality."""
    local_now = now.astimezone(zone)
    since = (local_now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    day_keys = [(since + timedelta(days=i)).date().isoformat() for i in range(days)]
    sq = select(Signal.occurred_at, Signal.agency).where(Signal.occurred_at >= since)
    cq = select(Case.status, Case.priority_level, Case.municipality_code)
    aq = select(Case.opened_at, Case.acknowledged_at).where(Case.acknowledged_at.is_not(None))
    month_keys = _months_back(local_now, months)
    oq = select(Case.closed_at, Case.outcome).where(Case.closed_at.is_not(None), Case.outcome.is_not(None))
    if municipality:
        sq = sq.where(Signal.municipality_code == municipality)
        cq = cq.where(Case.municipality_code == municipality)
        aq = aq.where(Case.municipality_code == municipality)
        oq = oq.where(Case.municipality_code == municipality)

    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    for at, agency in session.execute(sq).all():
        per_day[agency][at.astimezone(zone).date().isoformat()] += 1
    signals_by_agency = {a: [per_day[a][d] for d in day_keys] for a in sorted(per_day)}

    by_priority: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_muni: Counter[str] = Counter()
    open_values = {s.value for s in OPEN}
    for status, level, muni in session.execute(cq.where(Case.merged_into.is_(None))).all():
        if status in open_values:
            by_priority[level] += 1
            by_status[status] += 1
            by_muni[muni] += 1

    ack_hours = [
        (ack - opened).total_seconds() / 3600 for opened, ack in session.execute(aq).all() if ack is not None
    ]
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    for closed_at, outcome in session.execute(oq).all():
        if closed_at is not None and outcome is not None:
            outcomes[outcome][f"{closed_at.astimezone(zone):%Y-%m}"] += 1
    return Stats(
        days=day_keys,
        signals_by_agency=signals_by_agency,
        open_by_priority=dict(by_priority),
        open_by_status=dict(by_status),
        median_ack_hours=round(statistics.median(ack_hours), 2) if ack_hours else None,
        acknowledged_count=len(ack_hours),
        months=month_keys,
        outcomes_by_month={o: [outcomes[o][m] for m in month_keys] for o in sorted(outcomes)},
        open_by_municipality=dict(sorted(by_muni.items())),
        municipality=municipality,
    )


def pipeline(session: Session) -> dict[str, int]:
    """Counts an operator watches: inbox outcomes, outbox pending, deliveries by status."""
    from signalhub.store.messaging import Delivery, DeliveryDone, OutboxMessage
    from signalhub.store.registry import InboxEntry

    out: dict[str, int] = {}
    for outcome, n in session.execute(select(InboxEntry.outcome, func.count()).group_by(InboxEntry.outcome)):
        out[f"inbox_{outcome}"] = int(n)
    # The outbox holds only what is not yet published; delivered alerts left `deliveries`.
    out["outbox_pending"] = int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)
    for status, n in session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)):
        out[f"deliveries_{status}"] = int(n)
    out["deliveries_delivered"] = int(session.scalar(select(func.count()).select_from(DeliveryDone)) or 0)
    return out
