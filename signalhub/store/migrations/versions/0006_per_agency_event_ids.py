"""per-agency event ids: the inbox is keyed by (agency, event_id), signals unique on (agency, event_id)

Event ids are the agency's own (DESIGN.md, dedup): another agency's equal id is another signal.
Existing rows need no rewriting: a globally unique event id is unique per agency too, and every
inbox and signal row already has its agency. The downgrade fails (and changes nothing) when two
agencies' events share an id, which the old key cannot hold.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_constraint("pk_inbox", type_="primary")
        batch.create_primary_key("pk_inbox", ["agency", "event_id"])
    with op.batch_alter_table("signals") as batch:
        batch.drop_constraint("uq_signals_event_id", type_="unique")
        batch.create_unique_constraint("uq_signals_agency_event_id", ["agency", "event_id"])


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.drop_constraint("uq_signals_agency_event_id", type_="unique")
        batch.create_unique_constraint("uq_signals_event_id", ["event_id"])
    with op.batch_alter_table("inbox") as batch:
        batch.drop_constraint("pk_inbox", type_="primary")
        batch.create_primary_key("pk_inbox", ["event_id"])
