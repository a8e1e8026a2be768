"""Full-text candidates from the database's own index (SQLite FTS5, PostgreSQL tsvector;
migration 0005): a few dozen stored items, best ranked first, for the caller to score."""

from __future__ import annotations

from sqlalchemy import text

from bot.store.store import Store

BODY_CHARS = 1000  # as indexed (migration 0005)

SQLITE_QUERY = text(
    "SELECT i.key, i.title, json_extract(i.data, '$.url'), json_extract(i.data, '$.status'),"
    " substr(json_extract(i.data, '$.text'), 1, 1000) FROM ("
    "  SELECT rowid, bm25(items_fts, 4.0, 1.0) AS score FROM items_fts"
    "  WHERE items_fts MATCH :match ORDER BY score LIMIT :limit"
    ") AS hits JOIN items AS i ON i.id = hits.rowid WHERE i.gone_at IS NULL ORDER BY hits.score"
)
PG_QUERY = text(
    "SELECT i.key, i.title, i.data ->> 'url', i.data ->> 'status', left(i.data ->> 'text', 1000)"
    " FROM (SELECT s.id, ts_rank(s.doc, q) AS score FROM items_search AS s,"
    "       to_tsquery('english', :match) AS q WHERE s.doc @@ q ORDER BY score DESC LIMIT :limit"
    ") AS hits JOIN items AS i ON i.id = hits.id WHERE i.gone_at IS NULL ORDER BY hits.score DESC"
)


def candidates(store: Store, terms: list[str], limit: int) -> list[tuple[str, str, str, str, str]]:
    """(key, title, url, status, first 1,000 characters of text) of items matching any term."""
    if store.is_postgres:
        statement, match = PG_QUERY, " | ".join(terms)
    else:
        statement, match = SQLITE_QUERY, " OR ".join(f'"{term}"' for term in terms)
    with store.engine.connect() as connection:
        rows = connection.execute(statement, {"match": match, "limit": limit})
        return [tuple(str(value or "") for value in row) for row in rows]  # type: ignore[misc]
