"""Refinery's own store (SQLite by default, PostgreSQL by URL)."""

from bot.store.errors import StoreError
from bot.store.store import Store, UpsertResult, open_store

__all__ = ["Store", "StoreError", "UpsertResult", "open_store"]
