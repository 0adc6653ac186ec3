"""Possible matches, users and their sessions, the audit log, statistics, the pipeline and dead letters in
the JSON API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from services.api.access import Role, case_scope, require_role
from services.api.actions import accounts, matches
from services.api.actions.common import Ctx
from services.api.deps import ApiUser, DbSession, Svc
from services.api.queries import audit, match_review, stats
from services.api.queries.deadletters import BrokerUnavailableError
from signalhub.store import accounts as users
from signalhub.store.cases import Case

router = APIRouter(prefix="/api/v1", tags=["review", "accounts", "audit", "statistics", "operations"])


@router.get("/matches")
def pending(session: DbSession, user: ApiUser) -> list[dict[str, Any]]:
    """Possible person matches awaiting a decision, in cases the user may act on."""
    require_role(user, Role.COORDINATOR, Role.CURATOR)
    ids = list(session.scalars(select(Case.id).where(case_scope(user))))
    return [
        {
            "case_id": r.case_id,
            "case_number": r.case_number,
            "link_id": r.link.id,
            "role": r.link.role,
            "score": r.link.score,
            "evidence": r.link.evidence,
            "rule": r.rule,
            "fields": [
                {
                    "field": f.field,
                    "mention": f.mention,
                    "candidate": f.candidate,
                    "levels": list(f.levels),
                    "weight": f.weight,
                    "side": f.side,
                }
                for f in r.rows
            ],
        }
        for r in match_review.pending_reviews(session, ids)
    ]


@router.post("/matches/{link_id}/confirm")
def confirm(link_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, str]:
    link = matches.confirm_match(
        Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone), link_id
    )
    session.commit()
    return {"link_id": link.id, "review_status": link.review_status, "person_id": link.person_id}


@router.post("/matches/{link_id}/split")
def split(link_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, str]:
    person = matches.split_match(
        Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone), link_id
    )
    session.commit()
    return {"link_id": link_id, "review_status": "split", "person_id": person.id}


@router.post("/users/{user_id}/sessions/revoke")
def revoke_sessions(user_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, str | int]:
    """Coordinator only: end every session of the user (their tokens are refused from now on)."""
    count = accounts.revoke_sessions(
        Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone), user_id
    )
    session.commit()
    return {"user_id": user_id, "revoked": count}


@router.get("/users")
def list_users(session: DbSession, user: ApiUser) -> list[dict[str, str | bool | None]]:
    """Coordinator only: every account (id, username, role, municipality, agency, active), by
    username; never a password hash."""
    require_role(user, Role.COORDINATOR)
    return [row.as_json() for row in users.accounts(session)]


@router.post("/users/{user_id}/deactivate")
def deactivate(user_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, str | bool]:
    """Coordinator only: the user can no longer log in and every session of theirs ends (audited).
    Not one's own account (409)."""
    ctx = Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone)
    changed = accounts.set_active(ctx, user_id, False)
    session.commit()
    return {"user_id": user_id, "active": False, "changed": changed}


@router.post("/users/{user_id}/activate")
def activate(user_id: str, svc: Svc, session: DbSession, user: ApiUser) -> dict[str, str | bool]:
    """Coordinator only: a deactivated user may log in again (audited); old sessions stay ended."""
    ctx = Ctx(session, user, svc.clock(), svc.settings.kafka.alert_topic, svc.region.zone)
    changed = accounts.set_active(ctx, user_id, True)
    session.commit()
    return {"user_id": user_id, "active": True, "changed": changed}


@router.get("/audit")
def audit_log(
    session: DbSession, user: ApiUser, case_id: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Coordinator only: newest first."""
    require_role(user, Role.COORDINATOR)
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "username": r.username,
            "role": r.role,
            "action": r.action,
            "case_id": r.case_id,
            "detail": r.detail,
        }
        for r in audit.entries(session, case_id=case_id, limit=min(limit, 10000))
    ]


@router.get("/audit.csv")
def audit_csv(session: DbSession, user: ApiUser, case_id: str | None = None) -> StreamingResponse:
    """Coordinator only: the audit log as CSV (UTF-8), newest first."""
    require_role(user, Role.COORDINATOR)
    rows = audit.entries(session, case_id=case_id, limit=100000)
    return StreamingResponse(
        audit.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/stats")
def statistics(
    svc: Svc, session: DbSession, user: ApiUser, municipality: str | None = None, days: int = 30
) -> dict[str, object]:
    """Aggregates only (no personal data): every role may see them."""
    return stats.compute(
        session, svc.clock(), zone=svc.region.zone, days=max(1, min(days, 366)), municipality=municipality
    ).as_json()


@router.get("/pipeline")
def pipeline(session: DbSession, user: ApiUser) -> dict[str, int]:
    require_role(user, Role.OPERATOR, Role.COORDINATOR)
    return stats.pipeline(session)


@router.get("/dead-letters")
def dead_letters(svc: Svc, user: ApiUser) -> list[dict[str, Any]]:
    """Operator and coordinator: dead letters with reason, source and a masked body."""
    require_role(user, Role.OPERATOR, Role.COORDINATOR)
    if svc.dead_letters is None:
        raise HTTPException(503, "dead-letter reading is not configured")
    try:
        return [d.as_json() for d in svc.dead_letters()]
    except BrokerUnavailableError:
        raise HTTPException(503, "broker unavailable") from None
