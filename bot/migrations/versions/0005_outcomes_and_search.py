"""outcome reviews and their answers; a full-text index over item titles and text

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

# What the full-text index reads: the title (weight A) and the first 1,000 characters of the
# text (weight B).
PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(NEW.title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, left(coalesce(NEW.data ->> 'text', ''), 1000)),"
    " 'B')"
)
SQLITE_BODY = "substr(coalesce(json_extract(new.data, '$.text'), ''), 1, 1000)"


def upgrade() -> None:
    when = bot.store.models.UTCDateTime(timezone=True)
    op.create_table(
        "outcome_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.String(16), nullable=True),
        sa.Column("asks", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("done_at", when, nullable=False),
        sa.Column("due_at", when, nullable=True),
        sa.Column("channel", sa.String(64), nullable=True),
        sa.Column("ts", sa.String(64), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.UniqueConstraint("source", "key", name="uq_outcome_reviews_item"),
    )
    op.create_index("ix_outcome_reviews_due", "outcome_reviews", ["status", "due_at"])
    op.create_index("ix_outcome_reviews_team", "outcome_reviews", ["team"])
    op.create_table(
        "outcome_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("observed", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("answered_at", when, nullable=False),
    )
    op.create_index("ix_outcome_answers_review", "outcome_answers", ["review_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_search()
        return
    # SQLite: an FTS5 table whose rowid is items.id, kept current by triggers.
    op.execute(
        "CREATE VIRTUAL TABLE items_fts USING fts5(title, body, tokenize = 'porter unicode61')"
    )
    insert = f"INSERT INTO items_fts(rowid, title, body) VALUES (new.id, new.title, {SQLITE_BODY});"
    op.execute(f"CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN {insert} END")
    op.execute(
        "CREATE TRIGGER items_fts_update AFTER UPDATE OF title, data ON items BEGIN "
        f"DELETE FROM items_fts WHERE rowid = old.id; {insert} END"
    )
    op.execute(
        "CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN "
        "DELETE FROM items_fts WHERE rowid = old.id; END"
    )
    op.execute(
        "INSERT INTO items_fts(rowid, title, body) SELECT id, title, "
        + SQLITE_BODY.replace("new.", "")
        + " FROM items"
    )


def _postgres_search() -> None:
    """A narrow table of one tsvector per item, kept by a trigger: ranking reads these small
    rows instead of the wide items rows, which keeps a search on 100,000 items quick."""
    op.execute(
        "CREATE TABLE items_search (id integer PRIMARY KEY REFERENCES items (id) "
        "ON DELETE CASCADE, doc tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_items_search_doc ON items_search USING gin (doc)")
    op.execute(
        "CREATE FUNCTION items_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"INSERT INTO items_search (id, doc) VALUES (NEW.id, {PG_DOCUMENT}) "
        "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER items_search_keep AFTER INSERT OR UPDATE OF title, data ON items "
        "FOR EACH ROW EXECUTE FUNCTION items_search_keep()"
    )
    op.execute(
        "INSERT INTO items_search (id, doc) SELECT id, "
        + PG_DOCUMENT.replace("NEW.", "")
        + " FROM items"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS items_search_keep ON items")
        op.execute("DROP FUNCTION IF EXISTS items_search_keep()")
        op.execute("DROP TABLE IF EXISTS items_search")
    else:
        for name in ("items_fts_insert", "items_fts_update", "items_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
    op.drop_index("ix_outcome_answers_review", table_name="outcome_answers")
    op.drop_table("outcome_answers")
    op.drop_index("ix_outcome_reviews_team", table_name="outcome_reviews")
    op.drop_index("ix_outcome_reviews_due", table_name="outcome_reviews")
    op.drop_table("outcome_reviews")
