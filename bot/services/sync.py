"""Incremental sync: read pages from a stream, store them, then advance its cursor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.store import Store
from connectors.base import RateLimited, Stream


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

    def line(self) -> str:
        text = (
            f"{self.stream}: {self.items} items in {self.pages} pages "
            f"({self.inserted} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.gone} gone), {self.requests} requests"
        )
        return f"{text}; stopped early: {self.stopped}" if self.stopped else text


def run_stream(
    store: Store, stream: Stream, *, full: bool = False, progress: SyncProgress | None = None
) -> SyncSummary:
    """Sync one stream (see _sync_stream) and count the run for /metrics."""
    from bot import metrics

    try:
        summary = _sync_stream(store, stream, full=full, progress=progress)
    except Exception:
        metrics.sync_finished(stream.source, "failed", 0)
        raise
    metrics.sync_finished(stream.source, "stopped" if summary.stopped else "ok", summary.requests)
    return summary


def _sync_stream(
    store: Store, stream: Stream, *, full: bool, progress: SyncProgress | None
) -> SyncSummary:
    """Sync one stream. The cursor moves only after the page it covers is stored, so a crash
    anywhere resumes from the last stored page without losing or duplicating items."""
    summary = SyncSummary(stream.name)
    cursor = None if full else store.get_cursor(stream.name)[0]
    plan = stream.plan(cursor)
    summary.requests += plan.requests
    if progress:
        progress.started(stream.name, plan.total)
    try:
        for page in stream.fetch(cursor):
            result = store.upsert_items(page.items)
            if page.cursor is not None:
                store.set_cursor(stream.name, page.cursor)
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
        summary.gone = store.mark_gone(stream.source, known - live)
    return summary


def streams_for(settings: Settings, store: Store, source: str = "all") -> list[Stream]:
    """The configured streams: a Jira site when [jira] url is set, one per GitHub repo.

    `source` is "all", "jira" or "github"."""
    streams: list[Stream] = []
    if source in ("all", "jira") and settings.jira.url:
        from connectors.jira import make_jira_stream

        streams.append(make_jira_stream(settings, store))
    if source in ("all", "github") and settings.github.repos:
        from connectors.github import make_github_streams

        streams.extend(make_github_streams(settings, store))
    return streams
