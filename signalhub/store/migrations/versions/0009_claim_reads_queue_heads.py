"""The notifier's claim reads the heads of the cases' queues, not the rows behind them: the pending
rows' case index leads with the channel, (channel, case_id, id), so the claim can step from one
case of a channel to the next (a skip scan: one index probe per case) and take each case's
earliest row (another probe), whatever the length of the queues behind them

The indexes it replaces: (case_id, channel, id) answered "the earliest pending row of this case"
but could not list the cases of one channel without stepping over every row of the others, and
(channel, id), the old claim's scan order, is used by nothing now; left in place, a plan made
without statistics took it for the walk's step (a scan of the channel's rows per case: 267 665
rows read to claim 333 rows).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.drop_index("ix_deliveries_case_pending", table_name="deliveries")
    op.drop_index("ix_deliveries_pending", table_name="deliveries")
    op.create_index(
        "ix_deliveries_channel_case_pending",
        "deliveries",
        ["channel", "case_id", "id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_channel_case_pending", table_name="deliveries")
    op.create_index(
        "ix_deliveries_pending",
        "deliveries",
        ["channel", "id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index(
        "ix_deliveries_case_pending",
        "deliveries",
        ["case_id", "channel", "id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
