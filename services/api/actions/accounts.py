"""Account actions of the coordinator: ending every session of a user (a lost laptop, a leaked
token), deactivating and re-activating a user. Password, role and active-flag changes end a user's
sessions by themselves (see `signalhub.store.workplace`), so deactivation needs no session code
here. Audit details hold ids only, never usernames or names."""

from __future__ import annotations

from services.api.access import NotFoundError, Role, require_role
from services.api.actions.common import ConflictError, Ctx
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


def set_active(ctx: Ctx, user_id: str, active: bool) -> bool:
    """Deactivate (`active=False`) or re-activate the user; True if the flag changed. A change is
    audited (`user.deactivated` / `user.activated`, the user's id only); asking for the state the
    user is already in changes and records nothing. A coordinator cannot deactivate themself, so
    the hub is never left without the one who asked."""
    require_role(ctx.who, Role.COORDINATOR)
    user = ctx.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFoundError
    if not active and user.id == ctx.who.id:
        raise ConflictError("a coordinator cannot deactivate their own account")
    if user.active == active:
        return False
    user.active = active  # the flush ends the user's sessions (`_end_sessions_on_change`)
    action = "user.activated" if active else "user.deactivated"
    audit.record(ctx.session, ctx.who, action, ctx.now, detail={"user_id": user_id})
    return True
