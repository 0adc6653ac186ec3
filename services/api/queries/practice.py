"""The practice's own measures, by municipality and month, for the regional report.

A row is the cases of one municipality opened in one month (of the region's calendar): how many,
how many children their closed cases kept in or returned to the family or placed (by outcome), the
median hours from the signal (the case's opening) to acknowledgement, the median days to the first
conference, and the share of the cases that had a conference. Aggregates only: no person, no case
id leaves this module. Downloadable as CSV (Excel's Russian dialect: `;`, decimal comma, BOM) and
as XLSX (numbers as numbers).
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signalhub.region import municipality_name
from signalhub.russian_format import month_words, number
from signalhub.russian_names import OUTCOME
from signalhub.store.cases import Case, Conference
from signalhub.store.registry import Signal, SignalPerson

__all__ = ["OUTCOMES", "PracticeRow", "measures", "to_csv", "to_xlsx"]

OUTCOMES = ("family_preserved", "returned_to_family", "guardianship", "foster_family", "institution")


@dataclass
class _Cases:
    opened: int = 0
    children: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    ack_hours: list[float] = field(default_factory=list)
    conference_days: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class PracticeRow:
    municipality: str
    month: str  # "2026-12"
    cases_opened: int
    children_by_outcome: dict[str, int]
    median_ack_hours: float | None
    median_conference_days: float | None
    with_conference_share: float  # 0..1


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def measures(session: Session, zone: ZoneInfo, *, municipality: str | None = None) -> list[PracticeRow]:
    """One row per municipality and month of opening, newest month first."""
    cq = select(Case.id, Case.municipality_code, Case.opened_at, Case.acknowledged_at, Case.outcome).where(
        Case.merged_into.is_(None)
    )
    if municipality:
        cq = cq.where(Case.municipality_code == municipality)
    cases = session.execute(cq).all()
    ids = [c.id for c in cases]
    first_conference = dict(
        session.execute(
            select(Conference.case_id, func.min(Conference.scheduled_at))
            .where(Conference.case_id.in_(ids))
            .group_by(Conference.case_id)
        ).all()
    )
    children = dict(
        session.execute(
            select(Signal.case_id, func.count(func.distinct(SignalPerson.person_id)))
            .join(SignalPerson, SignalPerson.signal_id == Signal.id)
            .where(Signal.case_id.in_(ids), SignalPerson.role == "child")
            .group_by(Signal.case_id)
        ).all()
    )
    groups: dict[tuple[str, str], _Cases] = defaultdict(_Cases)
    for case_id, muni, opened, acknowledged, outcome in cases:
        group = groups[(muni, f"{opened.astimezone(zone):%Y-%m}")]
        group.opened += 1
        if outcome in group.children:
            group.children[outcome] += children.get(case_id, 0)
        if acknowledged is not None:
            group.ack_hours.append((acknowledged - opened).total_seconds() / 3600)
        if case_id in first_conference:
            group.conference_days.append((first_conference[case_id] - opened).total_seconds() / 86400)
    return [
        PracticeRow(
            municipality=muni,
            month=month,
            cases_opened=g.opened,
            children_by_outcome=g.children,
            median_ack_hours=_median(g.ack_hours),
            median_conference_days=_median(g.conference_days),
            with_conference_share=len(g.conference_days) / g.opened,
        )
        for (muni, month), g in sorted(groups.items(), key=_newest_month_then_name)
    ]


def _newest_month_then_name(item: tuple[tuple[str, str], _Cases]) -> tuple[int, str]:
    (muni, month), _ = item
    return -int(month.replace("-", "")), municipality_name(muni)


HEADER = (
    "Муниципалитет",
    "ОКТМО",
    "Месяц открытия случаев",
    "Случаев открыто",
    *(f"Детей: {OUTCOME[o].lower()}" for o in OUTCOMES),
    "Медиана от сигнала до принятия в работу, ч",
    "Медиана от сигнала до первого консилиума, дней",
    "Доля случаев с консилиумом, %",
)


def _cells(row: PracticeRow) -> list[object]:
    year, month = (int(p) for p in row.month.split("-"))
    return [
        municipality_name(row.municipality),
        row.municipality,
        month_words(year, month),
        row.cases_opened,
        *(row.children_by_outcome[o] for o in OUTCOMES),
        row.median_ack_hours,
        row.median_conference_days,
        round(100 * row.with_conference_share, 1),
    ]


def to_csv(rows: list[PracticeRow]) -> str:
    """CSV as Excel on a Russian desktop opens it: BOM, `;`, decimal comma, empty for no value."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if v is None else number(v) if isinstance(v, float) else v for v in _cells(row)])
    return "\ufeff" + buf.getvalue()


def to_xlsx(rows: list[PracticeRow], generated: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Показатели практики"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(_cells(row))
    sheet.append([])
    sheet.append([f"Сформировано {generated:%d.%m.%Y %H:%M}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
