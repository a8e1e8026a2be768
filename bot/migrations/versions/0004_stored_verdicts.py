"""stored verdicts: the rules fingerprint per item, finding evidence, report columns

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows keep judged = NULL: the first start re-evaluates them once, which also
    # fills the report columns from each item's stored data.
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("status", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("created", bot.store.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("owner_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("owner_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("judged", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("open_findings", sa.Integer(), nullable=True))
        batch_op.create_index("ix_items_judged", ["judged"], unique=False)
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("evidence")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_judged")
        for name in ("open_findings", "judged", "owner_name", "owner_id", "created", "status", "url"):
            batch_op.drop_column(name)
