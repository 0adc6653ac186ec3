"""Dates of a case: the acknowledgement deadline, review reminders, and the dates people may enter.

- Acknowledgement (DESIGN.md, "Priority"): a case waiting for acknowledgement (new, or reopened
  into assessment without one) gets a deadline from its priority level; while still new it only
  ever moves earlier (a risen priority shortens it, a fallen one never extends it).
- Reviews: a review date, a conference's follow-up date or a plan item's due date raises a
  reminder the day before and one on the day (a scheduler down on the day before still raises the
  on-day one).
- Entered dates: a conference or a review (or follow-up) date in the past is refused, and so is a
  plan item due before the case opened. "Today" is the region's local date, passed in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from signalhub.domain.cases import CaseRuleError, CaseStatus
from signalhub.domain.priority import AckDeadlines, Priority

__all__ = [
    "DateRuleError",
    "Reminder",
    "check_conference_time",
    "check_plan_due",
    "check_review_date",
    "is_ack_overdue",
    "next_ack_deadline",
    "review_reminder",
    "review_window",
]

WAITING = (CaseStatus.NEW, CaseStatus.ASSESSMENT)


class DateRuleError(CaseRuleError):
    """An entered date breaks a rule (answered 422); the message names the field and the rule."""

    code = "date"


def next_ack_deadline(
    status: CaseStatus,
    current: datetime | None,
    priority: Priority,
    now: datetime,
    deadlines: AckDeadlines,
) -> datetime | None:
    """The case's acknowledgement deadline after its priority was (re)assessed at `now`."""
    fresh = priority.ack_deadline(now, deadlines)
    if current is None:
        return fresh if status in WAITING else None
    if status is CaseStatus.NEW:
        return min(current, fresh)
    return current


def is_ack_overdue(
    status: CaseStatus, acknowledged_at: datetime | None, deadline: datetime | None, now: datetime
) -> bool:
    """A case nobody acknowledged past its deadline."""
    return status is CaseStatus.NEW and acknowledged_at is None and deadline is not None and deadline <= now


class Reminder(StrEnum):
    DAY_BEFORE = "day_before"
    ON_DAY = "on_day"


def review_window(today: date) -> tuple[date, date]:
    """The dates whose reminders are due `today` (inclusive bounds)."""
    return today, today + timedelta(days=1)


def review_reminder(when: date, today: date) -> Reminder | None:
    if when == today:
        return Reminder.ON_DAY
    if when == today + timedelta(days=1):
        return Reminder.DAY_BEFORE
    return None


def check_conference_time(scheduled_at: datetime, now: datetime) -> None:
    if scheduled_at.tzinfo is None:
        raise DateRuleError("scheduled_at: a conference time needs a time zone")
    if scheduled_at < now:
        raise DateRuleError("scheduled_at: a conference cannot be scheduled in the past")


def check_review_date(review_date: date, today: date, *, field: str = "review_date") -> None:
    if review_date < today:
        raise DateRuleError(f"{field}: a review date cannot be in the past")


def check_plan_due(due_date: date, case_opened_on: date) -> None:
    if due_date < case_opened_on:
        raise DateRuleError("due_date: a plan item cannot be due before the case opened")
