"""Review dates -> `review_due` alerts the day before and on the day (in the region's time zone).

Dates watched: a case's `review_date`, a conference's `follow_up_date`, a plan item's `due_date`
(unless the item is finished), all of open cases. Each (source, date, day-before|on-day) raises
at most one alert; a scheduler that was down on the day before still raises the on-day one.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduler.alerts import raise_once
from signalhub.domain.case_deadlines import Reminder, review_reminder, review_window
from signalhub.domain.cases import PlanItemStatus
from signalhub.domain.vocabulary import AlertType
from signalhub.store.cases import Case, Conference, PlanItem

# "completed" was written by early versions; the model's finished statuses are done and cancelled.
FINISHED_ITEMS = ("completed", *(s.value for s in PlanItemStatus if s.finished))
SOURCES = {
    "case": "пересмотр случая",
    "conference": "повторная встреча по итогам консилиума",
    "plan_item": "срок мероприятия плана",
}


def reviews_due(session: Session, now: datetime, zone: ZoneInfo, topic: str) -> int:
    """Raise the reminders due today (local date); returns how many alerts were added."""
    today = now.astimezone(zone).date()
    window = review_window(today)
    open_case = Case.status != "closed"
    found: list[tuple[Case, str, str, date]] = []
    for case in session.scalars(select(Case).where(open_case, Case.review_date.between(*window))):
        assert case.review_date is not None
        found.append((case, "case", case.id, case.review_date))
    conferences = select(Case, Conference.id, Conference.follow_up_date).join(
        Conference, Conference.case_id == Case.id
    )
    for case, conf_id, when in session.execute(
        conferences.where(open_case, Conference.follow_up_date.between(*window))
    ):
        if when is not None:
            found.append((case, "conference", conf_id, when))
    items = select(Case, PlanItem.id, PlanItem.due_date).join(PlanItem, PlanItem.case_id == Case.id)
    items = items.where(open_case, PlanItem.due_date.between(*window), PlanItem.status.not_in(FINISHED_ITEMS))
    for case, item_id, when in session.execute(items):
        found.append((case, "plan_item", item_id, when))
    added = 0
    for case, source, source_id, when in found:
        which = review_reminder(when, today)
        if which is None:
            continue
        label = "сегодня" if which is Reminder.ON_DAY else "завтра"
        added += raise_once(
            session,
            case,
            AlertType.REVIEW_DUE,
            topic=topic,
            discriminator=f"{source}:{source_id}:{when.isoformat()}:{which.value}",
            now=now,
            detail=f"{SOURCES[source]}: {label}, {when:%d.%m.%Y}",
        )
    return added
