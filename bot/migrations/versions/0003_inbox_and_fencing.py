"""webhook inbox (durable deliveries), comment claim holders, leader epochs and job ticks

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Rows recorded before this revision were handled already: they default to done.
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="done")
        )
        batch_op.add_column(
            sa.Column("event_name", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("body", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("next_attempt_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("done_at", UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.create_index("ix_webhook_deliveries_status", ["status", "received_at"])
    with op.batch_alter_table("comment_ledger", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=255), nullable=True))
    op.create_table(
        "leader_epochs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("elected_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "job_ticks",
        sa.Column("job", sa.String(length=128), nullable=False),
        sa.Column("fire_at", UTC_DATETIME, nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("job", "fire_at"),
    )


def downgrade() -> None:
    op.drop_table("job_ticks")
    op.drop_table("leader_epochs")
    with op.batch_alter_table("comment_ledger", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_status")
        for name in (
            "last_error",
            "done_at",
            "claimed_until",
            "claimed_by",
            "next_attempt_at",
            "attempts",
            "body",
            "event_name",
            "status",
        ):
            batch_op.drop_column(name)
