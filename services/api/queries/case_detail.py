"""One case as its reader sees it: family, every signal on one timeline, linkage evidence, priority.

Holds personal data (names, birth dates): only for users `access.may_read` allows, and every read
is written to the audit log by the route that calls `load`. Within the case, the reader sees of
each signal what `access.signal_view` allows: a liaison sees the others' signals only as agency,
type and date, and only the people their own agency's signals name; health's descriptions only
reach the coordinator and the case's curator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.api.access import Principal, SignalView, signal_view
from services.api.template_globals import rule_parts, rule_text
from signalhub.domain.priority import youngest_age_months
from signalhub.store.cases import Case, CaseEvent, Conference, PlanItem
from signalhub.store.registry import Person, Signal, SignalPerson
from signalhub.store.workplace import User


@dataclass(frozen=True)
class Link:
    """How one signal's mention of a person was resolved to the registry person."""

    id: str
    signal_id: str
    agency: str
    role: str
    band: str
    score: float
    evidence: list[dict[str, Any]]
    review_status: str

    @property
    def pending(self) -> bool:
        return self.band == "possible" and self.review_status in ("none", "pending")


@dataclass
class Member:
    person_id: str
    surname: str | None
    first_name: str | None
    patronymic: str | None
    birth_date: date | None
    sex: str | None
    roles: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)

    @property
    def is_child(self) -> bool:
        return "child" in self.roles


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a signal from an agency, or an event of the case."""

    at: datetime
    kind: str  # "signal" | "event"
    code: str  # signal type or event kind
    agency: str | None
    actor: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class RuleLine:
    code: str
    points: int | None
    text: str


@dataclass
class CaseView:
    case: Case
    curator_name: str | None
    members: list[Member]
    timeline: list[Entry]
    rules: list[RuleLine]
    conferences: list[Conference]
    plan: list[PlanItem]
    youngest_months: int | None

    @property
    def pending_links(self) -> list[tuple[Member, Link]]:
        return [(m, lnk) for m in self.members for lnk in m.links if lnk.pending]


def _members(session: Session, case: Case, signals: list[Signal]) -> list[Member]:
    by_signal = {s.id: s for s in signals}
    rows = session.execute(
        select(SignalPerson, Person)
        .join(Person, Person.id == SignalPerson.person_id)
        .where(SignalPerson.signal_id.in_(list(by_signal)))
    ).all()
    members: dict[str, Member] = {}
    for sp, person in rows:
        m = members.setdefault(person.id, _member(person))
        m.roles.add(sp.role)
        sig = by_signal[sp.signal_id]
        m.links.append(
            Link(
                sp.id,
                sp.signal_id,
                sig.agency,
                sp.role,
                sp.band,
                sp.score,
                list(sp.evidence or []),
                sp.review_status,
            )
        )
    for person in session.scalars(select(Person).where(Person.family_id == case.family_id)):
        members.setdefault(person.id, _member(person))
    return sorted(members.values(), key=lambda m: (not m.is_child, m.birth_date or date.min))


def _member(p: Person) -> Member:
    return Member(p.id, p.surname, p.first_name, p.patronymic, p.birth_date, p.sex)


def _signal_data(s: Signal, view: SignalView) -> dict[str, Any]:
    if view == "summary":
        return {"signal_id": s.id, "withheld": "details"}
    data = {
        "signal_id": s.id,
        "severity": s.severity,
        "source_record_id": s.source_record_id,
        "received_at": s.received_at,
        "version": s.version,
        "description": (s.payload or {}).get("description"),
        "corroborates": s.corroborates_id,
    }
    if view == "without_description":
        data |= {"description": None, "withheld": "description"}
    return data


def _timeline(
    signals: list[Signal], views: dict[str, SignalView], events: list[CaseEvent], names: dict[str, str]
) -> list[Entry]:
    items = [
        Entry(
            at=s.occurred_at,
            kind="signal",
            code=s.signal_type,
            agency=s.agency,
            actor=None,
            data=_signal_data(s, views[s.id]),
        )
        for s in signals
    ]
    items += [
        Entry(
            at=e.at,
            kind="event",
            code=e.kind,
            agency=None,
            actor=names.get(e.actor, e.actor),
            data=e.data or {},
        )
        for e in events
    ]
    return sorted(items, key=lambda x: x.at)


def load(session: Session, case: Case, now: datetime, reader: Principal) -> CaseView:
    """Everything the case page shows `reader`; signals include those of cases merged into this one."""
    merged = list(session.scalars(select(Case.id).where(Case.merged_into == case.id)))
    signals = list(
        session.scalars(select(Signal).where(or_(Signal.case_id == case.id, Signal.case_id.in_(merged))))
    )
    events = list(
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    )
    actor_ids = {e.actor for e in events} | ({case.curator_id} if case.curator_id else set())
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids))).all())
    views = {s.id: signal_view(reader, case, s.agency) for s in signals}
    members = _members(session, case, signals)
    if any(view == "summary" for view in views.values()):  # only the people the reader's agency named
        members = [m for m in members if any(views[lnk.signal_id] != "summary" for lnk in m.links)]
        for m in members:
            m.links = [lnk for lnk in m.links if views[lnk.signal_id] != "summary"]
    rules = []
    for raw in case.priority_rules or []:
        code, points = rule_parts(raw)
        rules.append(RuleLine(code, points, rule_text(code)))
    children = tuple(m.birth_date for m in members if m.is_child)
    return CaseView(
        case=case,
        curator_name=names.get(case.curator_id) if case.curator_id else None,
        members=members,
        timeline=_timeline(signals, views, events, names),
        rules=rules,
        conferences=list(
            session.scalars(
                select(Conference).where(Conference.case_id == case.id).order_by(Conference.scheduled_at)
            )
        ),
        plan=list(
            session.scalars(select(PlanItem).where(PlanItem.case_id == case.id).order_by(PlanItem.due_date))
        ),
        youngest_months=youngest_age_months(children, now.date()) if children else None,
    )


def pending_matches(session: Session, case_ids: list[str]) -> list[tuple[str, str, SignalPerson]]:
    """(case id, case number, link) of possible matches awaiting review among `case_ids`."""
    q = (
        select(Case.id, Case.number, SignalPerson)
        .join(Signal, Signal.id == SignalPerson.signal_id)
        .join(Case, Case.id == Signal.case_id)
        .where(
            Case.id.in_(case_ids),
            SignalPerson.band == "possible",
            SignalPerson.review_status.in_(["none", "pending"]),
        )
    )
    return [(cid, num, sp) for cid, num, sp in session.execute(q).all()]
