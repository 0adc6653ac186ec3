"""The delivery log keeps alerts in the form the outbox held them: times as epoch milliseconds
(they were ISO 8601 text, converted on consume and parsed back on send)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

DELIVERIES = sa.table("deliveries", sa.column("id", sa.Integer), sa.column("alert", sa.JSON))
TIMES = ("ack_deadline", "created_at")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _to_ms(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(milliseconds=1)


def _to_iso(value: Any) -> Any:
    if not isinstance(value, int):
        return value
    moment = EPOCH + timedelta(milliseconds=value)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rewrite(change: Any) -> None:
    conn = op.get_bind()
    for row_id, alert in conn.execute(sa.select(DELIVERIES.c.id, DELIVERIES.c.alert)).all():
        fixed = dict(alert or {}) | {f: change(alert[f]) for f in TIMES if alert and f in alert}
        if fixed != alert:
            conn.execute(sa.update(DELIVERIES).where(DELIVERIES.c.id == row_id).values(alert=fixed))


def upgrade() -> None:
    _rewrite(_to_ms)


def downgrade() -> None:
    _rewrite(_to_iso)
