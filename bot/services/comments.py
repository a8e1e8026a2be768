"""The comment pass: one polite, idempotent comment per unready ticket, edited as it improves."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from bot.services.comment_body import Rendered, ordered, render_findings, render_ready
from bot.store import comment_ledger as ledger
from bot.store.comment_ledger import POSTING, LedgerRow, LedgerState
from bot.store.store import OpenFinding
from connectors import registry
from connectors.base import AuthError, BodyFormat, CommentTarget, ConnectorError, RateLimited
from connectors.item import Item
from rules.engine import Finding

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.services.judge import Judge
    from bot.store import Store
    from rules.engine import Engine

log = logging.getLogger(__name__)


class CommentContext(Protocol):
    """What the comment pass uses (AppContext has it): the pass needs no Slack, web or CLI."""

    settings: Settings
    store: Store
    engine: Engine

    @property
    def judge(self) -> Judge: ...

    def tracker(self, source: str) -> CommentTarget: ...


Kind = Literal["add", "edit", "ready", "delete"]
# How a preview without a tracker renders comments (Jira Cloud would use ADF; wiki reads alike).
PREVIEW_FORMATS: dict[str, BodyFormat] = {
    name: connector.preview_format for name, connector in registry.CONNECTORS.items()
}


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    human_updated: datetime | None = None  # the item's last update by a person

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
    notes: list[str] = field(default_factory=list)  # what a person should know about the run

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"Comments skipped: {self.skipped}"]
        acted = self.planned if self.dry_run else self.done
        out = ["Dry run: nothing written."] if self.dry_run else []
        out += self.notes
        out += [("would " if self.dry_run else "") + action.describe() for action in acted]
        out.append(
            f"{len(acted)} {'planned' if self.dry_run else 'written'}, {self.carried} carried to "
            f"the next run, {self.deferred} waiting for min_interval, {len(self.failed)} failed."
        )
        out += [f"failed: {failure}" for failure in self.failed]
        if self.stopped:
            out.append(f"stopped early: {self.stopped}")
        return out


def run_comment_pass(
    ctx: CommentContext, source: str | None = None, dry_run: bool | None = None
) -> CommentRunSummary:
    """Comment on, edit or clear comments for every stored item, within comments.max_per_run."""
    config = ctx.settings.comments
    dry = config.dry_run if dry_run is None else dry_run
    summary = CommentRunSummary(dry_run=dry)
    if not config.enabled and not dry:
        summary.skipped = "comments.enabled is false (use --dry-run to preview)"
        return summary
    now = utcnow()
    trackers: dict[str, CommentTarget] = {}
    queue: list[Action] = []
    configured = configured_sources(ctx)
    names = [source] if source else configured
    if dry and not names:
        # A preview needs no tracker: plan from what the store holds, in each tracker's format.
        names = [name for name in PREVIEW_FORMATS if ctx.store.keys(name)]
        if names:
            summary.notes.append("no tracker is configured: planned from the store")
    for name in names:
        if dry and name not in configured:
            actions, deferred = plan_source(ctx, name, PREVIEW_FORMATS[name], now, record=False)
            summary.planned += actions
            summary.deferred += deferred
            continue
        tracker = ctx.tracker(name)
        dry_source = dry or tracker.dry_run
        actions, deferred = plan_source(ctx, name, tracker.body_format, now, record=not dry_source)
        summary.planned += actions
        summary.deferred += deferred
        if dry_source:
            summary.dry_run = True
        else:
            trackers[name] = tracker
            queue += actions
    # One queue across sources, oldest first, so neither tracker starves the other's budget.
    queue.sort(key=lambda a: (a.waiting_since, a.source, a.key))
    _execute(ctx, trackers, queue, config.max_per_run, now, summary)
    return summary


def configured_sources(ctx: CommentContext) -> list[str]:
    """Sources with write-back configured: Jira when it has a URL, GitHub when it has repos."""
    return registry.configured(ctx.settings)


def comment_on_item(ctx: CommentContext, item: Item) -> CommentRunSummary:
    """Act on one item right away (a webhook's event): record its findings, comment or edit."""
    config = ctx.settings.comments
    summary = CommentRunSummary(dry_run=config.dry_run)
    if not config.enabled:
        ctx.judge.items([item])
        summary.skipped = "comments.enabled is false"
        return summary
    tracker = ctx.tracker(item.source)
    now = utcnow()
    dry = config.dry_run or tracker.dry_run
    summary.dry_run = dry
    actions, deferred = _plan([item], ctx, item.source, tracker.body_format, now, record=True)
    summary.planned, summary.deferred = actions, deferred
    if not dry:
        _execute(ctx, {item.source: tracker}, actions, len(actions), now, summary)
    return summary


def plan_source(
    ctx: CommentContext, source: str, fmt: BodyFormat, now: datetime, *, record: bool
) -> tuple[list[Action], int]:
    """Plan every stored item of a source from its stored findings (judging stale items
    first, unless this is a dry run); return the actions, oldest first, and the deferred."""
    if record:
        ctx.judge.refresh()
    elif ctx.judge.stale():  # a dry run writes nothing, verdicts included: evaluate instead
        return _plan(ctx.store.items(source=source), ctx, source, fmt, now, record=False)
    items = list(ctx.store.items(source=source))
    stored = ctx.store.open_findings(source)
    evaluated = [(item, [_finding(row) for row in stored.get(item.uid, [])]) for item in items]
    return _plan_evaluated(evaluated, ctx, source, fmt, now)


def _finding(row: OpenFinding) -> Finding:
    return Finding(row.rule, row.severity, row.message, row.hint, row.evidence)  # type: ignore[arg-type]


def _plan(
    items: Iterable[Item],
    ctx: CommentContext,
    source: str,
    fmt: BodyFormat,
    now: datetime,
    *,
    record: bool,
) -> tuple[list[Action], int]:
    if record:  # keeps first_seen, which orders the queue, in step with what we comment on
        evaluated = ctx.judge.items(items, now)
    else:
        evaluated = [(item, ctx.engine.evaluate(item)) for item in items]
    return _plan_evaluated(evaluated, ctx, source, fmt, now)


def _plan_evaluated(
    evaluated: list[tuple[Item, list[Finding]]],
    ctx: CommentContext,
    source: str,
    fmt: BodyFormat,
    now: datetime,
) -> tuple[list[Action], int]:
    keys = [item.key for item, _ in evaluated]
    known = ledger.rows(ctx.store, source, keys)
    first_seen = ledger.first_seen(ctx.store, source, keys)
    actions: list[Action] = []
    deferred = 0
    for item, found in evaluated:
        action = _decide(ctx, item, found, known.get(item.key), fmt, now, first_seen)
        if action == "deferred":
            deferred += 1
        elif action is not None:
            actions.append(action)
    actions.sort(key=lambda a: (a.waiting_since, a.key))
    return actions, deferred


def _decide(
    ctx: CommentContext,
    item: Item,
    found: list[Finding],
    row: LedgerRow | None,
    fmt: BodyFormat,
    now: datetime,
    first_seen: dict[str, dict[str, datetime]],
) -> Action | Literal["deferred"] | None:
    """Choose the one write (if any) that brings the item's comment in line with its findings."""
    config = ctx.settings.comments
    if item.status_category == "done":
        return None
    if config.opt_out_label and config.opt_out_label.lower() in {x.lower() for x in item.labels}:
        return None
    findings = ordered([f for f in found if f.rule in config.rules])
    seen = [first_seen.get(item.key, {}).get(f.rule) for f in findings]
    oldest = min([s for s in seen if s is not None], default=now)
    rules = tuple(f.rule for f in findings)
    human = ledger.human_update(item.updated, row)
    if row is None or row.state == POSTING:
        if not findings or (row is not None and not _claim_expired(row, now)):
            return None  # nothing to say, or another process is saying it right now
        rendered = render_findings(item, findings, fmt, ctx.settings, ctx.engine.explain(item))
        before = row.snapshot if row else None
        return Action("add", item.source, item.key, rendered, oldest, before, rules, human)
    since = row.pending_since or oldest
    if findings:
        rendered = render_findings(item, findings, fmt, ctx.settings, ctx.engine.explain(item))
        if row.state in ("open", "dismissed") and rendered.content_hash == row.content_hash:
            return None  # said already; or a person deleted it and nothing changed since
        kind: Kind = "edit" if row.comment_id and row.state in ("open", "ready") else "add"
        planned = Action(kind, item.source, item.key, rendered, since, row.snapshot, rules, human)
    elif row.state == "open" and row.comment_id:
        if config.on_fixed == "delete":
            planned = Action("delete", item.source, item.key, None, since, row.snapshot, (), human)
        else:
            ready = render_ready(fmt, ctx.settings)
            planned = Action("ready", item.source, item.key, ready, since, row.snapshot, (), human)
    else:
        return None
    if now - row.last_write < timedelta(seconds=config.min_interval):
        return "deferred"
    return planned


def _claim_expired(row: LedgerRow, now: datetime) -> bool:
    if row.claimed_at is None or now - row.claimed_at >= ledger.CLAIM_TIMEOUT:
        return True
    return row.claim_expired  # its holder died: no need to wait out the timeout


def _execute(
    ctx: CommentContext,
    trackers: dict[str, CommentTarget],
    actions: list[Action],
    budget: int,
    now: datetime,
    summary: CommentRunSummary,
) -> None:
    """Run actions in order until the budget is spent; mark the rest pending."""
    stopped: set[str] = set()  # sources whose rate limit or credentials failed this run
    waiting: list[Action] = []
    for index, action in enumerate(actions):
        if budget <= 0:
            waiting += actions[index:]
            break
        if action.source in stopped:
            waiting.append(action)
            continue
        try:
            writes = _apply(ctx, trackers[action.source], action)
        except ConnectorError as exc:
            log.warning("comment on %s:%s failed: %s", action.source, action.key, exc)
            summary.failed.append(f"{action.source}:{action.key}: {exc}")
            if isinstance(exc, RateLimited | AuthError):
                stopped.add(action.source)  # every further write there would fail the same way
                summary.stopped = str(exc)
            writes = 1  # the attempt spent an operation all the same
        else:
            if writes:
                summary.done.append(action)
        summary.writes += writes
        budget -= writes
    ledger.mark_pending(ctx.store, [(a.source, a.key) for a in waiting], now)
    summary.carried += len(waiting)


def _apply(ctx: CommentContext, tracker: CommentTarget, action: Action) -> int:
    """Make one write if the ledger still says what it said at planning; return writes made."""
    now = utcnow()
    if not ledger.claim(ctx.store, action.source, action.key, action.before, now):
        return 0  # a webhook thread or another replica acted on this item meanwhile
    try:
        comment_id = action.before.comment_id if action.before else None
        if comment_id is None and (action.before is None or action.before.state == POSTING):
            # A lost ledger or a crash mid-post: never add a second comment next to our first.
            comment_id = tracker.find_own_comment(action.key)
        if action.kind == "delete":
            assert comment_id is not None and action.before is not None
            tracker.delete_comment(action.key, comment_id)
            _saved(ctx, action, None, "deleted", action.before.content_hash, edited=True)
            return 1
        assert action.rendered is not None
        state = "ready" if action.kind == "ready" else "open"
        if comment_id is not None:
            tracker.edit_comment(action.key, comment_id, action.rendered.body)
            _saved(ctx, action, comment_id, state, action.rendered.content_hash, edited=True)
        else:
            new_id = tracker.add_comment(action.key, action.rendered.body)
            _saved(ctx, action, new_id, state, action.rendered.content_hash, edited=False)
        return 1
    except BaseException:
        ledger.release(ctx.store, action.source, action.key, action.before)
        raise


def _saved(
    ctx: CommentContext,
    action: Action,
    comment_id: str | None,
    state: str,
    digest: str,
    *,
    edited: bool,
) -> None:
    ledger.save(
        ctx.store,
        action.source,
        action.key,
        comment_id=comment_id,
        state=state,
        content_hash=digest,
        human_updated=action.human_updated,
        edited=edited,
        now=utcnow(),
    )
