"""item facets: each item's labels and status, folded to lower case, in an indexed table

Triage finds items by label or status; without this table it scanned every item's JSON text.
Triggers keep the rows current whatever writes an item, and existing items are filled in here.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Case is folded by the database's lower() on both sides of a lookup (on SQLite that folds
# ASCII letters only); callers confirm the match on the decoded item.
SQLITE_LABELS = (
    "INSERT OR IGNORE INTO item_facets (item_id, facet, value)"
    " SELECT {row}.id, 'label', lower(trim(labels.value)) FROM {tables}"
    "json_each({row}.data, '$.labels') AS labels"
    " WHERE labels.type = 'text' AND trim(labels.value) <> ''"
)
SQLITE_STATUS = (
    "INSERT OR IGNORE INTO item_facets (item_id, facet, value)"
    " SELECT {row}.id, 'status', lower(trim({row}.status)){tables} WHERE trim({row}.status) <> ''"
)
PG_KEEP = (
    "CREATE FUNCTION item_facets_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM item_facets WHERE item_id = NEW.id; "
    "INSERT INTO item_facets (item_id, facet, value) "
    "SELECT NEW.id, 'label', lower(trim(label)) FROM json_array_elements_text("
    "CASE WHEN json_typeof(NEW.data::json -> 'labels') = 'array' "
    "THEN NEW.data::json -> 'labels' ELSE '[]'::json END) AS label "
    "WHERE trim(label) <> '' ON CONFLICT DO NOTHING; "
    "IF trim(NEW.status) <> '' THEN INSERT INTO item_facets (item_id, facet, value) "
    "VALUES (NEW.id, 'status', lower(trim(NEW.status))) ON CONFLICT DO NOTHING; END IF; "
    "RETURN NEW; END $$"
)


def upgrade() -> None:
    # Items stored before 0004 have an empty status column until judged again: fill it from
    # the item's JSON first, so their status can be found.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE items SET status = left(coalesce(data::json ->> 'status', ''), 255) "
            "WHERE status = ''"
        )
    else:
        op.execute(
            "UPDATE items SET status = substr(coalesce(json_extract(data, '$.status'), ''), 1, 255)"
            " WHERE status = ''"
        )
    op.create_table(
        "item_facets",
        sa.Column(
            "item_id",
            sa.Integer(),
            sa.ForeignKey("items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("facet", sa.String(length=16), nullable=False),  # label | status
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("facet", "value", "item_id"),
    )
    op.create_index("ix_item_facets_item", "item_facets", ["item_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_KEEP)
        op.execute(
            "CREATE TRIGGER item_facets_keep AFTER INSERT OR UPDATE OF data, status ON items "
            "FOR EACH ROW EXECUTE FUNCTION item_facets_keep()"
        )
        # Fill in the items already stored: touching no row, the function's own SQL per row.
        op.execute(
            "INSERT INTO item_facets (item_id, facet, value) "
            "SELECT DISTINCT i.id, 'label', lower(trim(label)) FROM items AS i, "
            "json_array_elements_text(CASE WHEN json_typeof(i.data::json -> 'labels') = 'array' "
            "THEN i.data::json -> 'labels' ELSE '[]'::json END) AS label "
            "WHERE trim(label) <> '' ON CONFLICT DO NOTHING"
        )
        op.execute(
            "INSERT INTO item_facets (item_id, facet, value) "
            "SELECT id, 'status', lower(trim(status)) FROM items WHERE trim(status) <> '' "
            "ON CONFLICT DO NOTHING"
        )
        return
    keep = (
        SQLITE_LABELS.format(row="new", tables="")
        + "; "
        + SQLITE_STATUS.format(row="new", tables="")
        + ";"
    )
    op.execute(f"CREATE TRIGGER item_facets_insert AFTER INSERT ON items BEGIN {keep} END")
    op.execute(
        "CREATE TRIGGER item_facets_update AFTER UPDATE OF data, status ON items BEGIN "
        f"DELETE FROM item_facets WHERE item_id = old.id; {keep} END"
    )
    op.execute(
        "CREATE TRIGGER item_facets_delete AFTER DELETE ON items BEGIN "
        "DELETE FROM item_facets WHERE item_id = old.id; END"
    )
    op.execute(SQLITE_LABELS.format(row="items", tables="items, "))
    op.execute(SQLITE_STATUS.format(row="items", tables=" FROM items"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS item_facets_keep ON items")
        op.execute("DROP FUNCTION IF EXISTS item_facets_keep()")
    else:
        for name in ("item_facets_insert", "item_facets_update", "item_facets_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_item_facets_item", table_name="item_facets")
    op.drop_table("item_facets")
