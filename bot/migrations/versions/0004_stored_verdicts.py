"""stored verdicts: the rules fingerprint per item, finding evidence, report columns

Revision ID: 0004
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

REPORT = [
    "status_category",
    "gone_at",
    "project",
    "open_findings",
    "worst",
    "failing",
    "source",
    "key",
    "rank",
    "created",
    "updated",
    "estimate",
    "owner_id",
    "kind",
]
ADDED = ["url", "status", "created", "owner_id", "owner_name", "judged", "open_findings"]


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
        batch_op.add_column(sa.Column("failing", sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column("worst", sa.Integer(), nullable=True))
        batch_op.create_index("ix_items_judged", ["judged", "gone_at"], unique=False)
        # Covering indexes: reports scan these instead of the rows (which hold the item JSON).
        batch_op.create_index("ix_items_report", REPORT, unique=False)
        batch_op.create_index(
            "ix_items_uid_report",
            ["source", "key", "status_category", "gone_at", "project", "url"],
            unique=False,
        )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch_op.create_index(
            "ix_findings_open",
            ["resolved_at", "source", "key", "rule", "severity"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_open")
        batch_op.drop_column("evidence")
    with op.batch_alter_table("items", schema=None) as batch_op:
        for index in ("ix_items_uid_report", "ix_items_report", "ix_items_judged"):
            batch_op.drop_index(index)
        for name in ["worst", "failing", *reversed(ADDED)]:
            batch_op.drop_column(name)
