"""Act on a webhook event after it was answered: upsert, re-evaluate, comment; skip our own."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from bot.services.comment_body import is_own_body
from bot.services.comments import comment_on_item
from bot.store import comment_ledger
from bot.store.errors import DatabaseError
from connectors import registry
from connectors.events import Comment, Event
from connectors.item import Item

if TYPE_CHECKING:
    from bot.context import AppContext
    from bot.store import Store
    from connectors.base import Tracker

log = logging.getLogger(__name__)


def handle(ctx: AppContext, event: Event, item: Item | None = None) -> str:
    """Do what an event asks; return a short line saying what happened (for logs and tests).

    `item` is the issue already parsed when the request was checked (parsed once)."""
    if event.kind == "ignored":
        return f"ignored: {event.reason}"
    if unready := webhook_unready(ctx, event.source):
        return f"ignored: {unready}"
    if not in_scope(ctx, event):
        return f"ignored: {event.project} is not configured"
    if event.kind == "gone":
        ctx.store.mark_gone(event.source, [event.key])
        return f"gone: {event.source}:{event.key}"
    if event.comment is not None and is_own_comment(ctx, event, event.comment):
        if event.kind == "comment" and event.comment.action == "deleted":
            return _own_comment_deleted(ctx, event, event.comment)
        if event.field_changes == 0:
            # Our own comment or edit is not activity: no upsert, no re-evaluation, no loop.
            return f"ignored: Refinery's own comment on {event.key}"
    if not event.full_issue:
        # Jira's comment events abbreviate the issue; its jira:issue_updated carries it whole.
        return f"ignored: comment on {event.key} (the issue update event re-evaluates it)"
    if item is None:
        item = to_item(ctx, event)[0]
    stored = ctx.store.get_item(item.source, item.key)
    if stale(item, stored):
        # An older state delivered late (or again, under a new id) must not win.
        log.warning(
            "webhook %s: %s updated %s is older than the stored %s; ignored",
            event.source,
            item.key,
            item.updated,
            stored.updated if stored else None,
        )
        return f"stale: {item.uid} (stored copy is newer)"
    item = merge_stored(ctx, item, _estimate_known(ctx, event), stored)
    ctx.store.upsert_items([item])
    summary = comment_on_item(ctx, item)
    acted = ", ".join(a.describe() for a in summary.done) or "no comment change"
    return f"evaluated {item.uid}: {acted}"


def webhook_unready(ctx: AppContext, source: str) -> str:
    """Why the source's settings are not enough to act on its webhooks ("" when they are)."""
    return registry.get(source).webhook_unready(registry.section_of(ctx.settings, source))


def in_scope(ctx: AppContext, event: Event) -> bool:
    """Only configured projects and repositories (empty lists: everything the hook sends)."""
    return registry.get(event.source).in_scope(_section(ctx, event), event.project)


def is_own_comment(ctx: AppContext, event: Event, comment: Comment) -> bool:
    """Refinery's comment: its id is in the ledger, its body carries our marker or signature,
    or its author is the account Refinery writes with (Jira email, when the payload shows it)."""
    if comment.body is not None and is_own_body(comment.body):
        return True
    if registry.get(event.source).is_own_author(_section(ctx, event), comment):
        return True
    known = comment_ledger.comment_id(ctx.store, event.source, event.key)
    return known is not None and known == comment.id


def _own_comment_deleted(ctx: AppContext, event: Event, comment: Comment) -> str:
    """Someone deleted our comment: respect that until the findings change."""
    if not comment_ledger.dismiss(ctx.store, event.source, event.key, comment.id):
        # No such comment any more, or our own write on it is in flight (we deleted it).
        return f"ignored: Refinery's deleted comment on {event.key}"
    return f"dismissed: our comment on {event.key} was deleted by someone"


def stale(item: Item, stored: Item | None) -> bool:
    """The source's own clock says the stored copy is newer than this one."""
    if stored is None or item.updated is None or stored.updated is None:
        return False
    return item.updated < stored.updated


def _estimate_known(ctx: AppContext, event: Event) -> bool:
    connector = registry.get(event.source)
    return connector.estimate_known(_section(ctx, event), event, ctx.store, _tracker(ctx, event))


def to_item(ctx: AppContext, event: Event) -> tuple[Item, bool]:
    """Build the item with the connector's own pure parser; also say whether the payload
    carried the estimate (a GitHub Projects field never does; Jira's field may be left out).
    On a cold Jira field cache this reads the site's field list."""
    connector = registry.get(event.source)
    return connector.event_item(_section(ctx, event), event, ctx.store, _tracker(ctx, event))


def parse_offline(ctx: AppContext, event: Event) -> tuple[Item, bool]:
    """Parse before the answer, never calling out: (item, complete). On a cold Jira field
    cache the item lacks custom fields (complete=False) and is parsed again after the answer;
    it still proves the payload's fields have the right types."""
    connector = registry.get(event.source)
    kv = _CacheOrNothing(ctx.store)
    return connector.event_item_offline(_section(ctx, event), event, kv, _tracker(ctx, event))


class _CacheOrNothing:
    """The store's small-facts cache, read as empty when the store is down (the inbox then
    answers 503, so the request is not lost)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get_kv(self, key: str) -> dict[str, Any] | None:
        try:
            return self.store.get_kv(key)
        except DatabaseError:
            return None  # the store is down: the inbox answers 503 next

    def set_kv(self, key: str, value: dict[str, Any]) -> None:
        self.store.set_kv(key, value)


def _section(ctx: AppContext, event: Event) -> Any:
    return registry.section_of(ctx.settings, event.source)


def _tracker(ctx: AppContext, event: Event) -> Tracker | None:
    """The source's tracker when it is configured (its client is reused for the field cache)."""
    connector = registry.get(event.source)
    if not connector.configured(_section(ctx, event)):
        return None
    return ctx.tracker(event.source)


def merge_stored(ctx: AppContext, item: Item, estimate_known: bool, stored: Item | None) -> Item:
    """Keep what a webhook payload cannot know from the synced copy (Projects estimates, and
    fields Jira leaves out of some webhooks), so an event never invents a finding."""
    if stored is None:
        return item
    keep: dict[str, Any] = {}
    for name in ("reporter", "rank", "sprint", "parent"):
        if getattr(item, name) is None and getattr(stored, name) is not None:
            keep[name] = getattr(stored, name)
    if item.estimate is None and stored.estimate is not None and not estimate_known:
        keep["estimate"] = stored.estimate
    return dataclasses.replace(item, **keep) if keep else item
