"""The one list of case-event names: every fact about a case is written under one of these, by
intake and the workplace alike (`case_events.kind`); the UI's labels are keyed by them
(`signalhub.russian_names.CASE_EVENT`). Data of an event holds ids, codes and dates, never names."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CaseEventKind"]


class CaseEventKind(StrEnum):
    # written by intake
    CASE_OPENED = "case_opened"
    SIGNAL_ADDED = "signal_added"
    SIGNAL_AMENDED = "signal_amended"
    PRIORITY_CHANGED = "priority_changed"
    POSSIBLE_MATCH = "possible_match"
    # written by intake (automatic) and the workplace (a person)
    CASE_REOPENED = "case_reopened"
    MERGED_INTO = "merged_into"  # on the absorbed case: {"case_id": survivor, "cause": ...}
    MERGED_FROM = "merged_from"  # on the survivor: {"case_id": absorbed, "cause": ...}
    # written by the workplace
    MERGE_UNDONE = "merge_undone"
    ACKNOWLEDGED = "acknowledged"
    CURATOR_ASSIGNED = "curator_assigned"
    STATUS_CHANGED = "status_changed"
    CONFERENCE_SCHEDULED = "conference_scheduled"
    PLAN_ITEM_ADDED = "plan_item_added"
    PLAN_ITEM_UPDATED = "plan_item_updated"
    REVIEW_DATE_SET = "review_date_set"
    CLOSED = "closed"
    MATCH_CONFIRMED = "match_confirmed"
    MATCH_SPLIT = "match_split"
