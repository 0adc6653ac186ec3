"""Account actions of the coordinator: ending every session of a user (a lost laptop, a leaked
token). Password, role and active-flag changes end a user's sessions by themselves (see
`signalhub.store.workplace`)."""

from __future__ import annotations

from services.api.access import NotFoundError, Role, require_role
from services.api.actions.common import Ctx
from services.api.queries import audit
from services.api.security.sessions import end_user_sessions
from signalhub.store.workplace import User


def revoke_sessions(ctx: Ctx, user_id: str) -> int:
    """End every session of the user; returns how many. Audited with ids and the count only."""
    require_role(ctx.who, Role.COORDINATOR)
    if ctx.session.get(User, user_id) is None:
        raise NotFoundError
    count = end_user_sessions(ctx.session, user_id)
    audit.record(
        ctx.session, ctx.who, "sessions.revoked", ctx.now, detail={"user_id": user_id, "sessions": count}
    )
    return count
