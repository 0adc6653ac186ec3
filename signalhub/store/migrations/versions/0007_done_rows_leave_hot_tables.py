"""Done rows leave the hot tables: published outbox messages move to `outbox_sent`, delivered
alerts to `deliveries_done` (ids and times only), so the relay's and the notifier's claims read
only what is still to do; the deliveries' claim index leaves out `next_attempt_at`, so a lease is
a heap-only update

Revision ID: 0007_done_rows
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

import signalhub.store.base

revision = "0007_done_rows"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = signalhub.store.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox_sent",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("contract", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_sent")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_sent_message_id")),
    )
    op.create_table(
        "deliveries_done",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("alert_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("delivered_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries_done")),
        sa.UniqueConstraint("alert_id", "channel", name=op.f("uq_deliveries_done_alert_id_channel")),
    )
    op.execute(
        "INSERT INTO outbox_sent (id, message_id, contract, topic, key, created_at, published_at) "
        "SELECT id, message_id, contract, topic, key, created_at, published_at FROM outbox "
        "WHERE published_at IS NOT NULL"
    )
    op.execute("DELETE FROM outbox WHERE published_at IS NOT NULL")
    op.execute(
        "INSERT INTO deliveries_done (id, alert_id, case_id, channel, attempts, created_at, delivered_at) "
        "SELECT id, alert_id, case_id, channel, attempts, created_at, coalesce(delivered_at, created_at) "
        "FROM deliveries WHERE status = 'delivered'"
    )
    op.execute("DELETE FROM deliveries WHERE status = 'delivered'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.drop_column("published_at")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_due")
        batch_op.drop_column("delivered_at")
    op.create_index(
        "ix_deliveries_pending",
        "deliveries",
        ["channel", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Room on each page for a row's leased version, so that heap-only updates stay possible.
        op.execute("ALTER TABLE deliveries SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE deliveries RESET (fillfactor)")
    op.drop_index("ix_deliveries_pending", table_name="deliveries")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivered_at", UTC_TIME, nullable=True))
        batch_op.create_index("ix_deliveries_due", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", UTC_TIME, nullable=True))
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    # The done tables kept ids and times, not the messages: going down forgets what was sent.
    op.drop_table("deliveries_done")
    op.drop_table("outbox_sent")
