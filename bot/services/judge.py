"""Judge once, at ingest: evaluate the items a sync page, webhook or import stores, keep their
verdicts, and re-evaluate the store once (in the background) when the rules change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store import Store, UpsertResult
from bot.store.store import Verdict
from bot.store.verdicts import count_stale, failing, save_verdicts, stale_items
from connectors.item import Item
from rules.engine import SEVERITIES, Engine, Finding

log = logging.getLogger(__name__)
BATCH = 1000
Progress = Callable[[int, int], None]  # (items judged so far, items stale at the start)


def fingerprint_of(engine: Engine) -> str:
    """The rules fingerprint stored with each verdict (test engines may not have one)."""
    value = getattr(engine, "fingerprint", None)
    return value if isinstance(value, str) and value else "unversioned"


@dataclass
class Refresh:
    """Where the re-evaluation of stale verdicts stands (for logs, Slack and the web page)."""

    total: int = 0
    done: int = 0
    running: bool = False


class Judge:
    """Evaluates items when they are stored and keeps the store's verdicts current."""

    def __init__(self, store: Store, engine: Engine) -> None:
        self.store = store
        self.engine = engine
        self.fingerprint = fingerprint_of(engine)
        self.state = Refresh()
        self._thread: threading.Thread | None = None

    def items(
        self,
        items: Iterable[Item],
        now: datetime | None = None,
        hashes: Sequence[str] | None = None,
    ) -> list[tuple[Item, list[Finding]]]:
        """Evaluate `items` (as they were just stored) and store their verdicts. Rules that
        compare an item with the backlog (opt-in) get the whole store as their batch."""
        backlog = None
        if self.engine.needs_backlog:
            from bot.store.backlog_read import store_backlog

            backlog = store_backlog(self.store, now=now)
        judged = [(item, self.engine.evaluate(item, backlog)) for item in items]
        if judged:
            save_verdicts(self.store, judged, self.fingerprint, now, hashes)
        return judged

    def store_items(
        self,
        items: Iterable[Item],
        now: datetime | None = None,
        cursor: tuple[str, str] | None = None,
    ) -> UpsertResult:
        """Store `items` with their verdicts in one transaction (and a stream's `cursor`, see
        Store.upsert_items): each row is written once, already judged. Rules that compare an
        item with the backlog need the page stored first, so with them it is judged after."""
        items = list(items)
        if self.engine.needs_backlog:
            result = self.store.upsert_items(items, now, cursor=cursor)
            self.items(items, now, result.hashes_of(items))
            return result
        verdicts: dict[tuple[str, str], Verdict] = {
            (item.source, item.key): verdict_of(self.engine.evaluate(item), self.fingerprint)
            for item in items
        }
        return self.store.upsert_items(items, now, verdicts=verdicts, cursor=cursor)

    def stale(self) -> int:
        """How many live items have no verdict under the current rules."""
        return count_stale(self.store, self.fingerprint)

    def refresh(self, progress: Progress | None = None, batch: int = BATCH) -> int:
        """Judge every stale item, in batches; returns how many. One refresh at a time per
        store: a second caller waits for the first and then finds little or nothing left."""
        with self.store.judge_lock:
            total = self.stale()
            if not total:
                return 0
            self.state = Refresh(total=total, running=True)
            after = 0
            try:
                while rows := stale_items(self.store, self.fingerprint, after, batch):
                    after = rows[-1][0]
                    self.items([row[2] for row in rows], hashes=[row[1] for row in rows])
                    self.state.done += len(rows)
                    if progress:
                        progress(self.state.done, total)
            finally:
                self.state.running = False
            return self.state.done

    def start_background(self) -> threading.Thread | None:
        """Re-evaluate stale items in a daemon thread (serve's start); None when all current."""
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        stale = self.stale()
        if not stale:
            return None
        log.info("re-evaluating %d stored items under rules %s", stale, self.fingerprint)

        def run() -> None:
            try:
                count = self.refresh(_log_progress)
                log.info("re-evaluation done: %d items", count)
            except Exception:  # a background pass must not die silently
                log.exception("re-evaluating stored items failed")

        self._thread = threading.Thread(target=run, daemon=True, name="refinery-judge")
        self._thread.start()
        return self._thread


def verdict_of(found: Sequence[Finding], fingerprint: str) -> Verdict:
    """The findings and the row columns save_verdicts would write for them."""
    return Verdict(
        findings=found,
        judged=fingerprint,
        open_findings=len(found),
        failing=failing(found),
        worst=max((_rank(finding.severity) for finding in found), default=None),
    )


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def _log_progress(done: int, total: int) -> None:
    if done == total or done % (BATCH * 10) == 0:
        log.info("re-evaluated %d of %d stored items", done, total)
