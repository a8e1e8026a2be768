"""The health report service: backlog-health answers read from stored verdicts, cached per
store version (one report per version and scope, however many ask at once)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from bot.services.judge import Judge
from bot.services.lean import scope_leanness
from bot.services.report import ItemResult, Report, card_result
from bot.store import Store, readiness
from bot.store.stats import version as store_version
from connectors import registry
from connectors.item import Item
from rules.engine import Engine, Finding, Verdict

SOURCES = (*registry.names(), "file")
KEEP = 30  # items kept per list: more than any answer shows
# Up to this many stale items are judged before answering; more are judged in the background
# while answers come from the verdicts already stored (and say how many are pending).
JUDGE_BEFORE_ANSWER = 2000
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
    pending: int = 0  # items still waiting to be judged under the current rules
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


def scope_of(scope: str) -> readiness.Scope:
    """A project, a repo, a source ("jira", "github", "file") or "" for everything."""
    if not scope:
        return readiness.Scope()
    if scope in SOURCES:
        return readiness.Scope(source=scope)
    return readiness.Scope(projects=(scope,))


def health_of(store: Store, engine: Engine, scope: str, judge: Judge | None = None) -> Health:
    """The health of a project, repo or source ("" = all), from stored verdicts by SQL."""
    judge = judge or Judge(store, engine)
    pending = judge.stale()
    if pending and pending <= JUDGE_BEFORE_ANSWER:
        judge.refresh()
        pending = 0
    elif pending:
        judge.start_background()
    where = scope_of(scope)
    totals = readiness.totals(store, where)
    worst = readiness.unready(store, where, order="worst", limit=KEEP)
    top = readiness.unready(store, where, order="rank", limit=KEEP)
    return Health(
        items=totals.items,
        ready=totals.ready,
        unready=totals.unready,
        per_rule=Counter(totals.per_rule),
        worst=tuple(card_result(card) for card in worst),
        top=tuple(card_result(card) for card in top),
        pending=pending,
        lean=tuple(_lean_lines(store, scope, totals.items)),
    )


def _lean_lines(store: Store, scope: str, items: int) -> list[str]:
    if not items:
        return []
    source = scope if scope in SOURCES else None
    projects = [scope] if scope and source is None else None
    return scope_leanness(store, source, projects).lines()


class Answers:
    """Health answers, each computed at most once per store version.

    Reports read stored verdicts with a few SQL aggregations (milliseconds on 100,000 items),
    so they run in the server process; nothing evaluates the whole store on a request.
    """

    def __init__(
        self, store: Store, engine: Engine, *, judge: Judge | None = None, version_ttl: float = 0.0
    ) -> None:
        self.store = store
        self.engine = engine
        self.judge = judge or Judge(store, engine)
        # Reading the version scans the items table; under a burst of commands, reuse it briefly.
        self.version_ttl = version_ttl
        self._version: tuple[float, StoreVersion] | None = None
        self._lock = threading.Lock()
        self._reports: dict[tuple[StoreVersion, str], Future[Health]] = {}

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
        return store_version(self.store)

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
                health = health_of(self.store, self.engine, scope, self.judge)
            except BaseException as exc:
                with self._lock:
                    self._reports.pop(key, None)
                future.set_exception(exc)
                raise
            if health.pending:  # partial: ask again next time, when more is judged
                with self._lock:
                    self._reports.pop(key, None)
            future.set_result(health)
        return future.result()

    def check(self, key: str) -> tuple[Item | None, list[Finding], list[Verdict]]:
        """One item, its findings and every rule's verdict, by indexed lookups and one run of
        the rules (no full report needed)."""
        for candidate in dict.fromkeys((key, key.upper())):
            for source in SOURCES:
                item = self.store.get_item(source, candidate)
                if item is not None:
                    return item, *self.engine.assess(item)
        return None, [], []

    def close(self) -> None:
        """Nothing to stop: reports run in the calling thread (kept for the server's shutdown)."""
