"""The comment pass: one polite, idempotent comment per unready ticket, edited as it improves."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select

from bot.render.comment import Rendered, render_findings, render_ready
from bot.store.models import CommentLedger, FindingRow
from connectors.base import AuthError, BodyFormat, ConnectorError, RateLimited, Tracker
from connectors.item import Item
from rules.engine import Finding

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

Kind = Literal["add", "edit", "ready", "delete"]
# One process-wide lock: the scheduler's pass and webhook threads never write one item at once.
_WRITE_LOCK = threading.Lock()


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LedgerState:
    """What the ledger said when an action was planned; the action runs only if it still does."""

    comment_id: str | None
    state: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class Action:
    """One write the pass wants to make on one item."""

    kind: Kind
    source: str
    key: str
    rendered: Rendered | None  # None for delete
    waiting_since: datetime  # orders the queue: oldest first
    before: LedgerState | None  # None: no ledger row yet
    rules: tuple[str, ...] = ()

    def describe(self) -> str:
        what = {"add": "comment on", "edit": "edit comment on", "ready": "mark ready"}
        verb = what.get(self.kind, "delete comment on")
        rules = f" ({', '.join(self.rules)})" if self.rules else ""
        return f"{verb} {self.source}:{self.key}{rules}"


@dataclass
class CommentRunSummary:
    """What a comment pass planned and did; `writes` counts tracker write requests."""

    dry_run: bool
    planned: list[Action] = field(default_factory=list)
    done: list[Action] = field(default_factory=list)
    carried: int = 0  # over the budget: first in line next run
    deferred: int = 0  # changed, but the comment was edited less than min_interval ago
    failed: list[str] = field(default_factory=list)
    writes: int = 0
    skipped: str | None = None  # why nothing ran at all
    stopped: str | None = None  # why the run stopped early (rate limit, credentials)

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"Comments skipped: {self.skipped}"]
        head = "Dry run, nothing written. Would " if self.dry_run else "Did "
        acted = self.planned if self.dry_run else self.done
        out = [f"{head}{action.describe()}" for action in acted]
        out.append(
            f"{len(acted)} {'planned' if self.dry_run else 'written'}, {self.carried} carried to "
            f"the next run, {self.deferred} waiting for min_interval, {len(self.failed)} failed."
        )
        out += [f"failed: {failure}" for failure in self.failed]
        if self.stopped:
            out.append(f"stopped early: {self.stopped}")
        return out


def run_comment_pass(
    ctx: AppContext, source: str | None = None, dry_run: bool | None = None
) -> CommentRunSummary:
    """Comment on, edit or clear comments for every stored item, within comments.max_per_run."""
    config = ctx.settings.comments
    dry = config.dry_run if dry_run is None else dry_run
    summary = CommentRunSummary(dry_run=dry)
    if not config.enabled and not dry:
        summary.skipped = "comments.enabled is false (use --dry-run to preview)"
        return summary
    now = utcnow()
    budget = config.max_per_run
    for name in [source] if source else configured_sources(ctx):
        tracker = ctx.tracker(name)
        dry_source = dry or tracker.dry_run
        actions, deferred = plan_source(ctx, name, tracker.body_format, now, record=not dry_source)
        summary.planned += actions
        summary.deferred += deferred
        if dry_source:
            summary.dry_run = True
            continue
        budget = _execute(ctx, tracker, actions, budget, now, summary)
    return summary


def configured_sources(ctx: AppContext) -> list[str]:
    """Sources with write-back configured: Jira when it has a URL, GitHub when it has repos."""
    settings = ctx.settings
    return [
        name
        for name, on in (("jira", bool(settings.jira.url)), ("github", bool(settings.github.repos)))
        if on
    ]


def comment_on_item(ctx: AppContext, item: Item) -> CommentRunSummary:
    """Act on one item right away (a webhook's event): record its findings, comment or edit."""
    config = ctx.settings.comments
    summary = CommentRunSummary(dry_run=config.dry_run)
    if not config.enabled:
        summary.skipped = "comments.enabled is false"
        return summary
    tracker = ctx.tracker(item.source)
    now = utcnow()
    dry = config.dry_run or tracker.dry_run
    summary.dry_run = dry
    actions, deferred = _plan([item], ctx, item.source, tracker.body_format, now, record=not dry)
    summary.planned, summary.deferred = actions, deferred
    if not dry:
        _execute(ctx, tracker, actions, len(actions), now, summary)
    return summary


def plan_source(
    ctx: AppContext, source: str, fmt: BodyFormat, now: datetime, *, record: bool
) -> tuple[list[Action], int]:
    """Plan every stored item of a source; return the actions, oldest first, and the deferred."""
    return _plan(ctx.store.items(source=source), ctx, source, fmt, now, record=record)


def _plan(
    items: Iterable[Item],
    ctx: AppContext,
    source: str,
    fmt: BodyFormat,
    now: datetime,
    *,
    record: bool,
) -> tuple[list[Action], int]:
    items = list(items)
    evaluated = [(item, ctx.engine.evaluate(item)) for item in items]
    if record:  # keeps first_seen, which orders the queue, in step with what we comment on
        ctx.store.record_findings([(i.source, i.key, found) for i, found in evaluated], now)
    keys = [item.key for item in items]
    ledger = _ledger_rows(ctx, source, keys)
    first_seen = _first_seen(ctx, source, keys)
    actions: list[Action] = []
    deferred = 0
    for item, found in evaluated:
        action = _decide(ctx, item, found, ledger.get(item.key), fmt, now, first_seen)
        if action == "deferred":
            deferred += 1
        elif action is not None:
            actions.append(action)
    actions.sort(key=lambda a: (a.waiting_since, a.key))
    return actions, deferred


def _decide(
    ctx: AppContext,
    item: Item,
    found: list[Finding],
    row: LedgerRow | None,
    fmt: BodyFormat,
    now: datetime,
    first_seen: dict[str, dict[str, datetime]],
) -> Action | Literal["deferred"] | None:
    config = ctx.settings.comments
    if item.status_category == "done":
        return None
    if config.opt_out_label and config.opt_out_label.lower() in {x.lower() for x in item.labels}:
        return None
    findings = [f for f in found if f.rule in config.rules]
    seen = [first_seen.get(item.key, {}).get(f.rule) for f in findings]
    oldest = min([s for s in seen if s is not None], default=now)
    rules = tuple(f.rule for f in findings)
    if row is None:
        if not findings:
            return None
        rendered = render_findings(item, findings, fmt, ctx.settings)
        return Action("add", item.source, item.key, rendered, oldest, None, rules)
    since = row.pending_since or oldest
    before = LedgerState(row.comment_id, row.state, row.content_hash)
    if findings:
        rendered = render_findings(item, findings, fmt, ctx.settings)
        if row.state == "open" and rendered.content_hash == row.content_hash:
            return None
        if row.state == "dismissed" and rendered.content_hash == row.content_hash:
            return None  # a person deleted our comment; speak again only when findings change
        kind: Kind = "edit" if row.comment_id and row.state in ("open", "ready") else "add"
        planned = Action(kind, item.source, item.key, rendered, since, before, rules)
    elif row.state == "open" and row.comment_id:
        if config.on_fixed == "delete":
            planned = Action("delete", item.source, item.key, None, since, before)
        else:
            ready = render_ready(fmt, ctx.settings)
            planned = Action("ready", item.source, item.key, ready, since, before)
    else:
        return None
    last_write = row.edited_at or row.posted_at
    if now - last_write < timedelta(seconds=config.min_interval):
        return "deferred"
    return planned


@dataclass(frozen=True, slots=True)
class LedgerRow:
    comment_id: str | None
    state: str
    content_hash: str
    posted_at: datetime
    edited_at: datetime | None
    pending_since: datetime | None


def _ledger_rows(ctx: AppContext, source: str, keys: list[str]) -> dict[str, LedgerRow]:
    rows: dict[str, LedgerRow] = {}
    with ctx.store.session() as session:
        for start in range(0, len(keys), 500):
            query = select(CommentLedger).where(
                CommentLedger.source == source, CommentLedger.key.in_(keys[start : start + 500])
            )
            for row in session.scalars(query):
                rows[row.key] = LedgerRow(
                    row.comment_id,
                    row.state,
                    row.content_hash,
                    row.posted_at,
                    row.edited_at,
                    row.pending_since,
                )
    return rows


def _first_seen(ctx: AppContext, source: str, keys: list[str]) -> dict[str, dict[str, datetime]]:
    """When each open finding was first seen, per key and rule."""
    seen: dict[str, dict[str, datetime]] = {}
    with ctx.store.session() as session:
        for start in range(0, len(keys), 500):
            query = select(FindingRow.key, FindingRow.rule, FindingRow.first_seen).where(
                FindingRow.source == source,
                FindingRow.key.in_(keys[start : start + 500]),
                FindingRow.resolved_at.is_(None),
            )
            for key, rule_id, first in session.execute(query):
                seen.setdefault(key, {})[rule_id] = first
    return seen


def _execute(
    ctx: AppContext,
    tracker: Tracker,
    actions: list[Action],
    budget: int,
    now: datetime,
    summary: CommentRunSummary,
) -> int:
    """Run actions in order until the budget is spent; mark the rest pending. Return the rest."""
    for index, action in enumerate(actions):
        if budget <= 0 or summary.stopped:
            _mark_pending(ctx, actions[index:], now)
            summary.carried += len(actions) - index
            return budget
        try:
            writes = _apply(ctx, tracker, action)
        except (RateLimited, AuthError) as exc:
            summary.stopped = str(exc)
            summary.failed.append(f"{action.source}:{action.key}: {exc}")
            summary.writes += 1
            budget -= 1
            continue
        except ConnectorError as exc:
            log.warning("comment on %s:%s failed: %s", action.source, action.key, exc)
            summary.failed.append(f"{action.source}:{action.key}: {exc}")
            summary.writes += 1
            budget -= 1
            continue
        if writes:
            summary.done.append(action)
            summary.writes += writes
            budget -= writes
    return budget


def _apply(ctx: AppContext, tracker: Tracker, action: Action) -> int:
    """Make one write if the ledger still says what it said at planning; return writes made."""
    with _WRITE_LOCK:
        current = _ledger_rows(ctx, action.source, [action.key]).get(action.key)
        now_state = (
            LedgerState(current.comment_id, current.state, current.content_hash)
            if current
            else None
        )
        if now_state != action.before:
            return 0  # someone (a webhook thread) acted on this item meanwhile
        if action.before is not None:
            comment_id = action.before.comment_id
        else:
            # The ledger may have been lost; never post a second comment next to our first.
            comment_id = tracker.find_own_comment(action.key)
        if action.kind == "delete":
            assert comment_id is not None
            tracker.delete_comment(action.key, comment_id)
            _save(ctx, action, None, "deleted")
            return 1
        assert action.rendered is not None
        state = "ready" if action.kind == "ready" else "open"
        if comment_id is not None:
            tracker.edit_comment(action.key, comment_id, action.rendered.body)
            _save(ctx, action, comment_id, state, edited=True)
        else:
            new_id = tracker.add_comment(action.key, action.rendered.body)
            _save(ctx, action, new_id, state)
        return 1


def _save(
    ctx: AppContext, action: Action, comment_id: str | None, state: str, edited: bool = False
) -> None:
    now = utcnow()
    if action.rendered is not None:
        digest = action.rendered.content_hash
    else:
        digest = action.before.content_hash if action.before else ""
    with ctx.store.session() as session:
        row = session.scalar(
            select(CommentLedger).where(
                CommentLedger.source == action.source, CommentLedger.key == action.key
            )
        )
        if row is None:
            row = CommentLedger(source=action.source, key=action.key, posted_at=now)
            session.add(row)
        elif not edited:
            row.posted_at = now
            row.edited_at = None
        if edited:
            row.edited_at = now
        row.comment_id = comment_id
        row.content_hash = digest
        row.state = state
        row.pending_since = None


def _mark_pending(ctx: AppContext, actions: list[Action], now: datetime) -> None:
    """Remember when left-over work first waited, so it goes first next run."""
    by_source: dict[str, list[str]] = {}
    for action in actions:
        if action.before is not None:
            by_source.setdefault(action.source, []).append(action.key)
    with ctx.store.session() as session:
        for source, source_keys in by_source.items():
            query = select(CommentLedger).where(
                CommentLedger.source == source,
                CommentLedger.key.in_(source_keys),
                CommentLedger.pending_since.is_(None),
            )
            for row in session.scalars(query):
                row.pending_since = now
