"""A possible match as a reviewer sees it: the mention and the candidate person side by side, field
by field, with each field's evidence for (+) or against (-) their being one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy.orm import Session

from services.api.actions.matches import candidate_of
from services.api.queries.case_detail import pending_matches
from signalhub.store.registry import Person, SignalPerson

__all__ = ["FieldRow", "MatchReview", "pending_reviews"]

_FIELDS = ("surname", "first_name", "patronymic", "birth_date", "sex", "snils", "birth_cert", "address")
_CORRECTIONS = ("twins", "siblings", "family")  # shown only when in the evidence
_SEX = {"M": "М", "F": "Ж"}
Side = Literal["for", "against", "none"]


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One field: the mention's value, the candidate's, how they compared and the weight."""

    field: str
    mention: str
    candidate: str
    levels: tuple[str, ...]
    weight: float
    side: Side


@dataclass(frozen=True, slots=True)
class MatchReview:
    case_id: str
    case_number: str
    link: SignalPerson
    rows: tuple[FieldRow, ...]
    rule: str | None
    weight_for: float
    weight_against: float


def _shown(value: Any, field: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return _SEX.get(value, value) if field == "sex" else str(value)


def _side(weight: float) -> Side:
    return "for" if weight > 0 else "against" if weight < 0 else "none"


def review_rows(link: SignalPerson, mention: Person | None, candidate: Person | None) -> tuple[FieldRow, ...]:
    """The fields side by side (values only where the person is known) with their evidence."""
    evidence = [e for e in link.evidence or [] if isinstance(e, dict) and "field" in e]
    rows = []
    for field in (*_FIELDS, *_CORRECTIONS):
        found = [e for e in evidence if e["field"] == field]
        if field in _CORRECTIONS and not found:
            continue
        weight = round(sum(float(e.get("weight") or 0) for e in found), 1)
        levels = tuple(str(e["level"]) for e in found) or ("missing",)
        values = ("", "") if field in _CORRECTIONS else (
            _shown(getattr(mention, field, None), field), _shown(getattr(candidate, field, None), field),
        )  # fmt: skip
        rows.append(FieldRow(field, values[0], values[1], levels, weight, _side(weight)))
    return tuple(rows)


def pending_reviews(session: Session, case_ids: list[str]) -> list[MatchReview]:
    """Possible matches awaiting review among `case_ids`, each with its fields side by side."""
    out = []
    for case_id, number, link in pending_matches(session, case_ids):
        candidate_id = candidate_of(link)
        mention = session.get(Person, link.person_id) if candidate_id else None
        candidate = session.get(Person, candidate_id or link.person_id)
        rows = review_rows(link, mention, candidate)
        rule = next(
            (str(e["rule"]) for e in link.evidence or [] if isinstance(e, dict) and "rule" in e), None
        )
        out.append(
            MatchReview(
                case_id, number, link, rows, rule,
                round(sum(r.weight for r in rows if r.weight > 0), 1),
                round(sum(r.weight for r in rows if r.weight < 0), 1),
            )
        )  # fmt: skip
    return out
