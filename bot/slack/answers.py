"""Backlog-health answers for slash commands, computed from the store and cached per version."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import func, select

from bot.services.report import Report, evaluate_store
from bot.store import Store
from bot.store.models import ItemRow
from connectors.item import Item
from rules.engine import Engine, Finding

SOURCES = ("jira", "github", "file")
StoreVersion = tuple[Any, ...]


class Answers:
    """Reports over the whole store are slow at 50,000 items: compute each once per change."""

    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine
        self._lock = threading.Lock()
        self._reports: dict[tuple[StoreVersion, str], Future[Report]] = {}

    def version(self) -> StoreVersion:
        """What changes whenever a sync writes: live item count, last write, last removal."""
        query = select(
            func.count(ItemRow.id), func.max(ItemRow.synced_at), func.max(ItemRow.gone_at)
        )
        with self.store.session() as session:
            row = session.execute(query).one()
        return (row[0], str(row[1]), str(row[2]))

    def report(self, scope: str = "") -> Report:
        """The report for a project, repo or source ("" = everything), computed at most once."""
        key = (self.version(), scope)
        with self._lock:
            future = self._reports.get(key)
            owner = future is None
            if future is None:
                # Forget reports of older versions: they can never be asked for again.
                self._reports = {k: v for k, v in self._reports.items() if k[0] == key[0]}
                future = Future()
                self._reports[key] = future
        if owner:
            try:
                future.set_result(self._evaluate(scope))
            except BaseException as exc:
                with self._lock:
                    self._reports.pop(key, None)
                future.set_exception(exc)
        return future.result()

    def _evaluate(self, scope: str) -> Report:
        if not scope:
            return evaluate_store(self.store, self.engine, record=False)
        if scope in SOURCES:
            return evaluate_store(self.store, self.engine, record=False, source=scope)
        return evaluate_store(self.store, self.engine, record=False, projects=[scope])

    def check(self, key: str) -> tuple[Item | None, list[Finding]]:
        """One item and its findings, straight from the store (no full report needed)."""
        item = self.store.find_item(key)
        if item is None and key.upper() != key:
            item = self.store.find_item(key.upper())
        if item is None:
            return None, []
        return item, self.engine.evaluate(item)
