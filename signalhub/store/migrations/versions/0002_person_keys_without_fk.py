"""person_keys without a foreign key: a derived index written in bulk by intake

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person_keys") as batch:
        batch.drop_constraint("fk_person_keys_person_id_persons", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("person_keys") as batch:
        batch.create_foreign_key(
            "fk_person_keys_person_id_persons", "persons", ["person_id"], ["id"], ondelete="CASCADE"
        )
