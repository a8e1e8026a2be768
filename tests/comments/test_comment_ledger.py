"""The ledger's guarantees: one writer per item, stale plans dropped, failures retried,
crashes recovered without a second comment, and our writes never counted as human activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from bot.services.comments import (
    CommentRunSummary,
    _execute,
    comment_on_item,
    plan_source,
    run_comment_pass,
)
from bot.store import comment_ledger as ledger
from bot.store.models import Base, CommentLedger
from connectors.base import ConnectorError, RateLimited
from tests.comments.trackers import RecordingTracker, build_ctx, build_settings
from tests.factories import make_item

VAGUE = "Add a button."


def rows(ctx: Any) -> dict[str, CommentLedger]:
    with ctx.store.session() as session:
        return {row.key: row for row in session.scalars(select(CommentLedger))}


@dataclass
class FailingTracker(RecordingTracker):
    """Fails the first `failures` writes with `error`."""

    failures: int = 1
    error: Exception = field(default_factory=lambda: ConnectorError("Jira answered 500"))

    def add_comment(self, key: str, body: Any) -> str:
        if self.failures > 0:
            self.failures -= 1
            raise self.error
        return super().add_comment(key, body)


def test_a_stale_plan_does_not_write_after_a_webhook_did(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    tracker = RecordingTracker()
    ctx = build_ctx(settings, jira=tracker)
    item = make_item(key="PAY-1", description=VAGUE, estimate=None)
    ctx.store.upsert_items([item])
    now = datetime.now(UTC)
    actions, _ = plan_source(ctx, "jira", "markdown", now, record=True)

    comment_on_item(ctx, item)  # a webhook thread gets there first
    summary = run_comment_pass(ctx, source="jira", dry_run=True)
    assert summary.planned == []  # and the ledger now says it is done
    late = CommentRunSummary(dry_run=False)
    _execute(ctx, {"jira": tracker}, actions, 5, now, late)

    assert tracker.writes == [("add", "PAY-1")] and late.done == [] and late.writes == 0


def test_a_failed_write_releases_the_item_and_the_next_run_retries(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    tracker = FailingTracker()
    ctx = build_ctx(settings, jira=tracker)
    ctx.store.upsert_items([make_item(key="PAY-1", description=VAGUE, estimate=None)])

    first = run_comment_pass(ctx, source="jira")
    assert first.failed == ["jira:PAY-1: Jira answered 500"] and rows(ctx) == {}
    second = run_comment_pass(ctx, source="jira")
    assert second.failed == [] and tracker.writes == [("add", "PAY-1")]
    assert rows(ctx)["PAY-1"].state == "open" and rows(ctx)["PAY-1"].claimed_at is None


def test_a_rate_limit_stops_the_run_and_carries_the_rest(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    tracker = FailingTracker(error=RateLimited("GitHub rate limit exceeded", "12:00 UTC"))
    ctx = build_ctx(settings, jira=tracker)
    ctx.store.upsert_items(
        [make_item(key=f"PAY-{n}", description=VAGUE, estimate=None) for n in (1, 2, 3)]
    )
    summary = run_comment_pass(ctx, source="jira")
    assert summary.stopped == "GitHub rate limit exceeded"
    assert summary.carried == 2 and tracker.writes == []


def test_a_crash_between_post_and_ledger_edits_the_posted_comment(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    tracker = RecordingTracker()
    ctx = build_ctx(settings, jira=tracker)
    ctx.store.upsert_items([make_item(key="PAY-1", description=VAGUE, estimate=None)])
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    # The claim was taken and the comment posted, then the process died.
    assert ledger.claim(ctx.store, "jira", "PAY-1", None, t0)
    tracker.add_comment("PAY-1", "first words")
    tracker.writes.clear()

    with time_machine.travel(t0 + timedelta(minutes=2), tick=False):
        soon = run_comment_pass(ctx, source="jira")
    assert soon.planned == [] and tracker.writes == []  # the claim may still be live

    with time_machine.travel(t0 + timedelta(minutes=30), tick=False):
        later = run_comment_pass(ctx, source="jira")
    assert tracker.writes == [("edit", "PAY-1")] and len(tracker.comments) == 1
    assert later.writes == 1 and rows(ctx)["PAY-1"].state == "open"


def test_own_writes_are_not_human_activity(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    ctx = build_ctx(settings, jira=RecordingTracker())
    human = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    item = make_item(key="PAY-1", description=VAGUE, estimate=None, updated=human)
    ctx.store.upsert_items([item])
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        run_comment_pass(ctx, source="jira")
    assert rows(ctx)["PAY-1"].human_updated == human

    # The next sync sees Jira's `updated` moved by our own comment, then the item changes.
    bumped = make_item(
        key="PAY-1", description=VAGUE, estimate=2.0, updated=t0 + timedelta(seconds=3)
    )
    ctx.store.upsert_items([bumped])
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        run_comment_pass(ctx, source="jira")
    row = rows(ctx)["PAY-1"]
    assert row.edited_at is not None and row.human_updated == human
    snapshot = ledger.rows(ctx.store, "jira", ["PAY-1"])["PAY-1"]
    assert ledger.human_update(t0 + timedelta(seconds=3), snapshot) == human
    later = t0 + timedelta(days=1)
    assert ledger.human_update(later, snapshot) == later


def test_migrations_match_the_models(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    ctx = build_ctx(settings)
    with ctx.store.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in diffs if "comment_ledger" in repr(d)] == []


def test_sources_share_one_budget_oldest_first_and_fail_apart(tmp_path: Path) -> None:
    settings = build_settings(tmp_path, max_per_run=3)
    jira = FailingTracker(failures=1, error=RateLimited("Jira rate limit", None))
    github = RecordingTracker(source="github")
    ctx = build_ctx(settings, jira=jira, github=github)
    old = [make_item(key=f"PAY-{n}", description=VAGUE, estimate=None) for n in (1, 2)]
    new = [
        make_item(source="github", key=f"acme/shop#{n}", description=VAGUE, estimate=None)
        for n in (1, 2, 3)
    ]
    ctx.store.upsert_items(old + new)
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ctx.store.record_findings([(i.source, i.key, ctx.engine.evaluate(i)) for i in old], t0)
    with time_machine.travel(t0 + timedelta(days=1), tick=False):
        summary = run_comment_pass(ctx)

    # PAY-1 (oldest) hits Jira's rate limit: PAY-2 waits, GitHub goes on with the budget left.
    assert summary.stopped == "Jira rate limit" and jira.writes == []
    assert github.writes == [("add", "acme/shop#1"), ("add", "acme/shop#2")]
    assert summary.writes == 3 and summary.carried == 2
