"""JSON shapes of the read models (codes, not Russian labels: clients translate)."""

from __future__ import annotations

from typing import Any

from services.api.bodies import CaseListItemOut, CaseOut
from services.api.queries.case_detail import CaseView
from services.api.queries.cases import CaseRow
from signalhub.domain.cases import CaseStatus, allowed_moves
from signalhub.store.cases import Case


def case_out(c: Case) -> dict[str, Any]:
    return CaseOut.model_validate(c, from_attributes=True).model_dump(mode="json")


def row_out(r: CaseRow) -> dict[str, Any]:
    return CaseListItemOut.model_validate(r, from_attributes=True).model_dump(mode="json")


def _iso(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def view_out(v: CaseView) -> dict[str, Any]:
    """The case with its family, timeline, linkage evidence and priority explanation."""
    return {
        "case": case_out(v.case),
        "stages": {
            "current": v.case.status,
            "allowed": [s.value for s in allowed_moves(CaseStatus(v.case.status))],
        },
        "curator_name": v.curator_name,
        "priority": {
            "level": v.case.priority_level,
            "score": v.case.priority_score,
            "rules": [{"code": r.code, "points": r.points} for r in v.rules],
        },
        "youngest_child_age_months": v.youngest_months,
        "family": [
            {
                "person_id": m.person_id,
                "surname": m.surname,
                "first_name": m.first_name,
                "patronymic": m.patronymic,
                "birth_date": _iso(m.birth_date),
                "sex": m.sex,
                "roles": sorted(m.roles),
                "links": [
                    {
                        "link_id": lnk.id,
                        "signal_id": lnk.signal_id,
                        "agency": lnk.agency,
                        "role": lnk.role,
                        "band": lnk.band,
                        "score": lnk.score,
                        "review_status": lnk.review_status,
                        "evidence": lnk.evidence,
                    }
                    for lnk in m.links
                ],
            }
            for m in v.members
        ],
        "timeline": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "code": e.code,
                "agency": e.agency,
                "actor": e.actor,
                "data": {k: _iso(x) for k, x in e.data.items()},
            }
            for e in v.timeline
        ],
        "conferences": [
            {
                "id": c.id,
                "scheduled_at": c.scheduled_at.isoformat(),
                "agencies": c.agencies,
                "protocol": c.protocol,
                "recommendations": c.recommendations,
                "follow_up_date": _iso(c.follow_up_date),
            }
            for c in v.conferences
        ],
        "plan": [
            {
                "id": p.id,
                "action": p.action,
                "responsible_agency": p.responsible_agency,
                "due_date": p.due_date.isoformat(),
                "status": p.status,
            }
            for p in v.plan
        ],
    }
