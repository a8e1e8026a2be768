"""comment ledger: claims across replicas, and the last human update before our write

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comment_ledger", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_at", bot.store.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("human_updated", bot.store.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("comment_ledger", schema=None) as batch_op:
        batch_op.drop_column("human_updated")
        batch_op.drop_column("claimed_at")
