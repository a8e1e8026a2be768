"""Backlog-health answers for slash commands, computed from the store and cached per version."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from bot.services.lean import scope_leanness
from bot.services.report import ItemResult, Report, evaluate_store
from bot.store import Store
from bot.store.models import ItemRow
from bot.store.store import make_engine
from connectors.item import Item
from rules.engine import Engine, Finding

SOURCES = ("jira", "github", "file")
KEEP = 30  # items kept per list: more than any answer shows
StoreVersion = tuple[Any, ...]


@dataclass(frozen=True)
class Health:
    """A report trimmed to what Slack answers show (small enough to cache and to pickle)."""

    items: int
    ready: int
    unready: int
    per_rule: Counter[str] = field(default_factory=Counter)
    worst: tuple[ItemResult, ...] = ()
    top: tuple[ItemResult, ...] = ()  # unready items nearest the top of the backlog
    lean: tuple[str, ...] = ()  # the leanness report's lines (bot.services.lean)

    @property
    def ready_pct(self) -> float:
        return 100.0 * self.ready / self.items if self.items else 100.0

    @classmethod
    def of(cls, report: Report) -> Health:
        return cls(
            items=report.items,
            ready=report.ready,
            unready=len(report.unready),
            per_rule=Counter(report.per_rule),
            worst=tuple(report.worst(KEEP)),
            top=tuple(report.top_by_rank(KEEP)),
        )


def health_of(store: Store, engine: Engine, scope: str) -> Health:
    """Evaluate the stored items of a project, repo or source ("" = all), without history."""
    if not scope:
        report = evaluate_store(store, engine, record=False)
    elif scope in SOURCES:
        report = evaluate_store(store, engine, record=False, source=scope)
    else:
        report = evaluate_store(store, engine, record=False, projects=[scope])
    source = scope if scope in SOURCES else None
    projects = [scope] if scope and source is None else None
    lean = scope_leanness(store, source, projects).lines() if report.items else []
    return replace(Health.of(report), lean=tuple(lean))


class Answers:
    """A report over 50,000 items takes seconds: compute each at most once per store version.

    With `store_url`, reports are computed in a child process, so the CPU they take never
    holds the server's GIL while other threads are acknowledging Slack within 3 seconds.
    """

    def __init__(
        self,
        store: Store,
        engine: Engine,
        *,
        store_url: str = "",
        rules: Any = None,
        version_ttl: float = 0.0,
    ) -> None:
        self.store = store
        self.engine = engine
        self.store_url = store_url
        self.rules = rules or {}
        # Reading the version scans the items table; under a burst of commands, reuse it briefly.
        self.version_ttl = version_ttl
        self._version: tuple[float, StoreVersion] | None = None
        self._lock = threading.Lock()
        self._reports: dict[tuple[StoreVersion, str], Future[Health]] = {}
        self._pool: Executor | None = None

    def version(self) -> StoreVersion:
        """What changes whenever a sync writes: live item count, last write, last removal."""
        now = time.monotonic()
        cached = self._version
        if cached is not None and now - cached[0] < self.version_ttl:
            return cached[1]
        found = self._read_version()
        self._version = (now, found)
        return found

    def _read_version(self) -> StoreVersion:
        query = select(
            func.count(ItemRow.id), func.max(ItemRow.synced_at), func.max(ItemRow.gone_at)
        )
        with self.store.session() as session:
            row = session.execute(query).one()
        return (row[0], str(row[1]), str(row[2]))

    def health(self, scope: str = "") -> Health:
        """The health of a project, repo or source ("" = everything), computed at most once."""
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
                future.set_result(self._compute(scope))
            except BaseException as exc:
                with self._lock:
                    self._reports.pop(key, None)
                future.set_exception(exc)
        return future.result()

    def _compute(self, scope: str) -> Health:
        if not self.store_url:
            return health_of(self.store, self.engine, scope)
        with self._lock:
            if self._pool is None:
                # spawn, not fork: forking a process that runs threads can copy held locks.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=context,
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            pool = self._pool
        return pool.submit(_child_health, self.store_url, self.rules, scope).result()

    def check(self, key: str) -> tuple[Item | None, list[Finding]]:
        """One item and its findings, by indexed lookups (no full report needed)."""
        for candidate in dict.fromkeys((key, key.upper())):
            for source in SOURCES:
                item = self.store.get_item(source, candidate)
                if item is not None:
                    return item, self.engine.evaluate(item)
        return None, []

    def close(self) -> None:
        """Stop the report process now, even in the middle of a report nobody will read."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():  # busy or stuck past SIGTERM: it must not outlive the server
                process.kill()
                process.join(timeout=5)


_CHILD: dict[str, tuple[Store, Engine]] = {}


def _watch_parent(parent: int) -> None:
    """In the report process: yield the CPU to the server, and exit when it is gone."""
    os.nice(10)  # acks (3 s budget) matter more than a report that takes seconds anyway

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="refinery-parent-watch").start()


def _child_health(store_url: str, rules: Any, scope: str) -> Health:
    """Runs in the report process: open the store and engine once, then evaluate."""
    if store_url not in _CHILD:
        _CHILD[store_url] = (Store(make_engine(store_url)), Engine(rules))
    store, engine = _CHILD[store_url]
    return health_of(store, engine, scope)
