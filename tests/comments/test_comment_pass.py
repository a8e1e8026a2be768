"""The comment pass through the real Jira and GitHub trackers, with `responses` as the APIs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import responses
import time_machine
from sqlalchemy import select

from bot.services.comment_body import SIGNATURE
from bot.services.comments import run_comment_pass
from bot.store.models import CommentLedger
from connectors.item import Item, Person
from tests.comments.trackers import (
    GITHUB_URL,
    JIRA_URL,
    build_ctx,
    build_settings,
    real_github_tracker,
    real_jira_tracker,
)
from tests.factories import READY_TEXT, make_item
from tests.fakes.github import FakeGithub
from tests.fakes.jira import FakeJira

VAGUE = "Add a button to the settings page."


def unready(**overrides: Any) -> Item:
    """An item failing missing-why, missing-outcome and missing-estimate."""
    values: dict[str, Any] = {"description": VAGUE, "text": VAGUE, "estimate": None}
    return make_item(**{**values, **overrides})


def fixed(item: Item, **overrides: Any) -> Item:
    values: dict[str, Any] = {"description": READY_TEXT, "text": READY_TEXT, "estimate": 3.0}
    return dataclasses.replace(item, **{**values, **overrides})


def ledger(ctx: Any) -> dict[str, CommentLedger]:
    with ctx.store.session() as session:
        return {row.key: row for row in session.scalars(select(CommentLedger))}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_jira_second_pass_writes_nothing_and_a_fix_edits_only_its_comment(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path)
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    items = [unready(key=f"PAY-{n}") for n in (1, 2, 3)] + [make_item(key="PAY-4")]
    ctx.store.upsert_items(items)

    first = run_comment_pass(ctx, source="jira")

    posted = [(call.method, call.path) for call in jira.writes]
    assert posted == [("POST", f"/rest/api/3/issue/PAY-{n}/comment") for n in (1, 2, 3)]
    assert first.writes == 3 and len(first.done) == 3
    body = jira.comments["PAY-1"][0]["body"]
    assert body["type"] == "doc" and body["version"] == 1
    mention = body["content"][0]["content"][0]
    assert mention == {"type": "mention", "attrs": {"id": "acc-1", "text": "@Dana Reporter"}}
    assert jira.comments["PAY-1"][0]["properties"][0]["key"] == "refinery"
    assert set(ledger(ctx)) == {"PAY-1", "PAY-2", "PAY-3"}

    jira.reset_calls()
    second = run_comment_pass(ctx, source="jira")
    assert jira.calls == []  # not one request, let alone a write
    assert second.writes == 0 and second.planned == []

    ctx.store.upsert_items([fixed(items[1])])
    third = run_comment_pass(ctx, source="jira")

    comment_id = jira.comments["PAY-2"][0]["id"]
    assert [(c.method, c.path) for c in jira.calls] == [
        ("PUT", f"/rest/api/3/issue/PAY-2/comment/{comment_id}")
    ]
    assert third.writes == 1
    ready_text = jira.comments["PAY-2"][0]["body"]["content"][0]["content"][0]["text"]
    assert ready_text == settings.comments.templates.ready
    assert ledger(ctx)["PAY-2"].state == "ready"
    assert ledger(ctx)["PAY-2"].edited_at is not None


def test_github_partial_fix_edits_the_same_comment(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path)
    github = FakeGithub(rsps, api=GITHUB_URL)
    ctx = build_ctx(settings, github=real_github_tracker(settings))
    reporter = Person(id="octocat", name="octocat")
    item = unready(source="github", key="acme/shop#7", project="acme/shop", reporter=reporter)
    ctx.store.upsert_items([item])

    run_comment_pass(ctx, source="github")
    [comment] = github.comments["acme/shop#7"]
    assert comment["body"].count("<!-- refinery:comment -->") == 1
    assert "@octocat" in comment["body"] and 'a label such as "estimate: 3"' in comment["body"]

    github.reset_calls()
    ctx.store.upsert_items([fixed(item, estimate=None)])  # why and outcome fixed, no estimate yet
    run_comment_pass(ctx, source="github")

    assert [(c.method, c.path) for c in github.calls] == [
        ("PATCH", f"/api/v3/repos/acme/shop/issues/comments/{comment['id']}")
    ]
    assert len(github.comments["acme/shop#7"]) == 1
    body = github.comments["acme/shop#7"][0]["body"]
    assert "Not estimated" in body and "why it matters" not in body


def test_budget_spreads_twelve_comments_over_three_runs_oldest_first(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path, max_per_run=5)
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ctx.store.upsert_items([unready(key=f"OLD-{n}") for n in range(1, 13)])

    commented: list[list[str]] = []
    for run in range(4):
        with time_machine.travel(t0 + timedelta(hours=run), tick=False):
            if run == 1:  # a newer failing item must wait behind the older ones
                ctx.store.upsert_items([unready(key="NEW-1")])
            jira.reset_calls()
            summary = run_comment_pass(ctx, source="jira")
        writes = [call.path.split("/")[5] for call in jira.writes]
        assert len(writes) <= 5 and summary.writes == len(writes)
        commented.append(writes)

    assert [len(keys) for keys in commented] == [5, 5, 3, 0]
    first_twelve = [key for keys in commented for key in keys][:12]
    assert sorted(first_twelve) == sorted(f"OLD-{n}" for n in range(1, 13))
    assert commented[2][-1] == "NEW-1"
    assert all(len(comments) == 1 for comments in jira.comments.values())
    assert len(jira.comments) == 13


def test_min_interval_defers_an_edit_until_it_has_passed(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path, min_interval=3600)
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    item = unready(key="PAY-1")
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        ctx.store.upsert_items([item])
        run_comment_pass(ctx, source="jira")
    ctx.store.upsert_items([fixed(item, estimate=None)])
    jira.reset_calls()
    with time_machine.travel(t0 + timedelta(minutes=10), tick=False):
        early = run_comment_pass(ctx, source="jira")
    assert jira.writes == [] and early.deferred == 1
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        late = run_comment_pass(ctx, source="jira")
    assert [c.method for c in jira.writes] == ["PUT"] and late.deferred == 0


def test_on_fixed_delete_removes_the_comment_and_a_relapse_posts_again(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path, on_fixed="delete")
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    item = unready(key="PAY-1")
    ctx.store.upsert_items([item])
    run_comment_pass(ctx, source="jira")
    comment_id = jira.comments["PAY-1"][0]["id"]

    ctx.store.upsert_items([fixed(item)])
    jira.reset_calls()
    run_comment_pass(ctx, source="jira")
    assert [(c.method, c.path) for c in jira.calls] == [
        ("DELETE", f"/rest/api/3/issue/PAY-1/comment/{comment_id}")
    ]
    assert jira.comments["PAY-1"] == []
    assert ledger(ctx)["PAY-1"].state == "deleted"

    ctx.store.upsert_items([item])  # the why was removed again
    jira.reset_calls()
    run_comment_pass(ctx, source="jira")
    assert [c.method for c in jira.calls] == ["POST"]  # the ledger knows: no lookup first
    assert ledger(ctx)["PAY-1"].state == "open"


def test_dry_run_plans_and_sends_nothing(tmp_path: Path, rsps: responses.RequestsMock) -> None:
    settings = build_settings(tmp_path, enabled=False)
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    ctx.store.upsert_items([unready(key=f"PAY-{n}") for n in (1, 2)])

    disabled = run_comment_pass(ctx, source="jira")
    preview = run_comment_pass(ctx, source="jira", dry_run=True)

    assert disabled.skipped and disabled.planned == []
    assert [a.kind for a in preview.planned] == ["add", "add"]
    assert preview.dry_run and preview.writes == 0 and preview.done == []
    assert jira.calls == [] and ledger(ctx) == {}
    assert "would comment on jira:PAY-1" in "\n".join(preview.lines())


def test_opted_out_done_and_unlisted_rules_get_no_comment(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path, rules=["missing-why"])
    jira = FakeJira(rsps, site=JIRA_URL)
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    ctx.store.upsert_items(
        [
            unready(key="PAY-1", labels=("Refinery-Skip",)),
            unready(key="PAY-2", status_category="done"),
            fixed(unready(key="PAY-3"), estimate=None),  # fails only missing-estimate
            unready(key="PAY-4"),
        ]
    )
    run_comment_pass(ctx, source="jira")
    assert list(jira.comments) == ["PAY-4"]
    body = str(jira.comments["PAY-4"][0]["body"])
    assert "why it matters" in body and "Not estimated" not in body


def test_a_lost_ledger_edits_the_existing_comment_instead_of_adding(
    tmp_path: Path, rsps: responses.RequestsMock
) -> None:
    settings = build_settings(tmp_path)
    jira = FakeJira(rsps, site=JIRA_URL)
    jira.comments["PAY-1"] = [
        {"id": "500", "body": "someone else", "properties": []},
        # An older Refinery comment: the comments endpoint returns no properties, so it is
        # known by the signature its body carries.
        {
            "id": "501",
            "body": f"old findings\n\n_{SIGNATURE}: this comment is updated as the item changes._",
            "properties": [{"key": "refinery", "value": {}}],
        },
    ]
    ctx = build_ctx(settings, jira=real_jira_tracker(settings))
    ctx.store.upsert_items([unready(key="PAY-1")])
    run_comment_pass(ctx, source="jira")
    assert [(c.method, c.path.rsplit("/", 1)[1]) for c in jira.calls] == [
        ("GET", "comment"),
        ("PUT", "501"),
    ]
    assert "expand" not in jira.calls[0].query  # the endpoint documents no expand=properties
    assert jira.calls[1].query == "notifyUsers=false"  # an edit e-mails nobody
    assert SIGNATURE in str(jira.comments["PAY-1"][1]["body"])
    assert ledger(ctx)["PAY-1"].comment_id == "501"
