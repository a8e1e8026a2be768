"""Refinery's own store (SQLite by default, PostgreSQL by URL)."""

from bot.store.store import Store, UpsertResult, open_store

__all__ = ["Store", "UpsertResult", "open_store"]
