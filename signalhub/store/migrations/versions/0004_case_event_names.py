"""One name per case fact: intake's `case_merged` becomes `merged_into` / `merged_from` (the
names the workplace wrote), the workplace's `reopened` becomes `case_reopened` (intake's name);
merge data name the other case as `case_id`

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

EVENTS = sa.table(
    "case_events",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("actor", sa.String),
    sa.column("data", sa.JSON),
)


def _rewrite(kind: str, change: Any) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(EVENTS.c.id, EVENTS.c.data).where(EVENTS.c.kind == kind)).all()
    for row_id, data in rows:
        new_kind, new_data = change(dict(data or {}))
        conn.execute(sa.update(EVENTS).where(EVENTS.c.id == row_id).values(kind=new_kind, data=new_data))


def _merge_names(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if "into" in data:
        return "merged_into", {"case_id": data.pop("into"), **data}
    return "merged_from", {"case_id": data.pop("absorbed", None), **data}


def _merge_back(data: dict[str, Any], key: str) -> tuple[str, dict[str, Any]]:
    if data.get("cause") in (None, "workplace"):
        return ("merged_into" if key == "into" else "merged_from"), data
    return "case_merged", {key: data.pop("case_id", None), **data}


def upgrade() -> None:
    _rewrite("case_merged", _merge_names)
    _rewrite("reopened", lambda d: ("case_reopened", d))


def downgrade() -> None:
    # Intake's merges carry a signal's cause; the workplace's were `merged_into`/`merged_from` before.
    _rewrite("merged_into", lambda d: _merge_back(d, "into"))
    _rewrite("merged_from", lambda d: _merge_back(d, "absorbed"))
    # Intake's automatic reopening kept its name; a person's was `reopened`.
    op.get_bind().execute(
        sa.update(EVENTS)
        .where(EVENTS.c.kind == "case_reopened", EVENTS.c.actor != "intake")
        .values(kind="reopened")
    )
