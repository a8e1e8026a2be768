"""Incremental sync: read pages from a stream, store them, then advance its cursor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.services.judge import Judge
from bot.store import Store
from connectors.base import RateLimited, Stream
from connectors.collector import fewer_collections

log = logging.getLogger(__name__)
DEFAULT_MAX_GONE_SHARE = 0.2


class SyncProgress(Protocol):
    """Receives progress, so the CLI can draw a bar and the scheduler can log."""

    def started(self, stream: str, total: int | None) -> None: ...

    def advanced(self, items: int, pages: int) -> None: ...


@dataclass
class SyncSummary:
    stream: str
    pages: int = 0
    items: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    requests: int = 0
    stopped: str | None = None  # why the sync stopped early (rate limit), if it did
    gone_refused: int = 0  # items the source no longer listed, left alone by the safety stop

    def line(self) -> str:
        text = (
            f"{self.stream}: {self.items} items in {self.pages} pages "
            f"({self.inserted} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.gone} gone), {self.requests} requests"
        )
        if self.gone_refused:
            text += (
                f"; {self.gone_refused} items missing from the source were NOT marked gone "
                "(over sync.max_gone_share; run `refinery sync --full` to confirm)"
            )
        return f"{text}; stopped early: {self.stopped}" if self.stopped else text


def run_stream(
    store: Store,
    stream: Stream,
    *,
    full: bool = False,
    progress: SyncProgress | None = None,
    max_gone_share: float = DEFAULT_MAX_GONE_SHARE,
    judge: Judge | None = None,
) -> SyncSummary:
    """Sync one stream (see _sync_stream) and count the run for /metrics."""
    from bot import metrics

    try:
        with fewer_collections():  # a sync allocates millions of short-lived objects
            summary = _sync_stream(
                store,
                stream,
                full=full,
                progress=progress,
                max_gone_share=max_gone_share,
                judge=judge,
            )
    except Exception:
        metrics.sync_finished(stream.source, "failed", 0)
        raise
    metrics.sync_finished(stream.source, "stopped" if summary.stopped else "ok", summary.requests)
    return summary


def _sync_stream(
    store: Store,
    stream: Stream,
    *,
    full: bool,
    progress: SyncProgress | None,
    max_gone_share: float,
    judge: Judge | None,
) -> SyncSummary:
    """Sync one stream. The cursor moves only with the page it covers (one transaction), so a
    crash anywhere resumes from the last stored page without losing or duplicating items. With
    a judge, each page's items are evaluated as they are stored and saved with their verdicts.

    An incremental run marks at most `max_gone_share` of the source's items gone: more than
    that looks like a broken query or answer, not deletions, and waits for a --full run."""
    summary = SyncSummary(stream.name)
    cursor = None if full else store.get_cursor(stream.name)[0]
    plan = stream.plan(cursor)
    summary.requests += plan.requests
    if progress:
        progress.started(stream.name, plan.total)
    try:
        for page in stream.fetch(cursor):
            # The page, its verdicts and its cursor in one transaction: a crash before it
            # commits re-reads the page, after it nothing is lost.
            moved = (stream.name, page.cursor) if page.cursor is not None else None
            if judge is not None:
                result = judge.store_items(page.items, cursor=moved)
            else:
                result = store.upsert_items(page.items, cursor=moved)
            summary.pages += 1
            summary.items += len(page.items)
            summary.inserted += result.inserted
            summary.updated += result.updated
            summary.unchanged += result.unchanged
            summary.requests += page.requests
            if progress:
                progress.advanced(len(page.items), 1)
    except RateLimited as exc:
        summary.stopped = str(exc)
        return summary
    live = stream.live_keys()
    if live is not None:
        known = store.keys(stream.source)
        missing = known - live
        if not full and known and len(missing) > max_gone_share * len(known):
            summary.gone_refused = len(missing)
            log.warning(
                "%s: %d of %d items are missing from the source; not marking them gone "
                "(more than %.0f%%); run `refinery sync --full` to confirm",
                stream.name,
                len(missing),
                len(known),
                max_gone_share * 100,
            )
        else:
            summary.gone = store.mark_gone(stream.source, missing)
    return summary


def streams_for(settings: Settings, store: Store, source: str = "all") -> list[Stream]:
    """The configured streams: a Jira site when [jira] url is set, one per GitHub repo.

    `source` is "all" or a connector's name."""
    from connectors import registry

    streams: list[Stream] = []
    for name in registry.configured(settings):
        if source in ("all", name):
            streams.extend(registry.get(name).streams(registry.section_of(settings, name), store))
    return streams
