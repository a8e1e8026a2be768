"""Replay the recorded Jira and GitHub webhooks, signed, through the real HTTP endpoint."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from bot.services.comment_body import SIGNATURE
from bot.store.models import CommentLedger
from tests.webhooks.conftest import HookFactory, fixture


def ledger(hook: Any, key: str) -> CommentLedger | None:
    with hook.ctx.store.session() as session:
        row: CommentLedger | None = session.scalar(
            select(CommentLedger).where(CommentLedger.key == key)
        )
        return row


def test_jira_issue_created_gets_its_comment_and_a_fix_turns_it_ready(
    make_hook: HookFactory,
) -> None:
    hook = make_hook()
    created = fixture("jira", "webhook_issue_created.json")

    status, answer = hook.jira_event(created)

    assert (status, answer) == (202, {"status": "accepted"})
    item = hook.ctx.store.get_item("jira", "KAN-22")
    assert item is not None and item.description_format == "wiki"
    writes = [(c.method, c.path) for c in hook.jira.writes]
    assert writes == [("POST", "/rest/api/3/issue/KAN-22/comment")]
    body = hook.jira.comments["KAN-22"][0]["body"]
    assert body["content"][0]["content"][0] == {
        "type": "mention",
        "attrs": {"id": "712020:f1ad7cfd-7f82-4dc0-85e4-8bc47bcc08e4", "text": "@Sirajudheen MK"},
    }
    assert "Not estimated" in str(body)

    # The description edit leaves the findings as they were: nothing to write.
    hook.jira.reset_calls()
    status, _ = hook.jira_event(fixture("jira", "webhook_issue_updated_description.json"))
    assert status == 202 and hook.jira.writes == []

    # Someone estimates the story: the same comment becomes the ready note, within the request.
    estimated = fixture("jira", "webhook_issue_updated_description.json")
    estimated["issue"]["fields"]["customfield_10016"] = 3.0
    estimated["changelog"]["items"] = [{"field": "Story point estimate", "toString": "3"}]
    status, _ = hook.jira_event(estimated)
    comment_id = hook.jira.comments["KAN-22"][0]["id"]
    assert [(c.method, c.path) for c in hook.jira.writes] == [
        ("PUT", f"/rest/api/3/issue/KAN-22/comment/{comment_id}")
    ]
    row = ledger(hook, "KAN-22")
    assert row is not None and row.state == "ready"


def test_jira_status_change_of_a_ready_item_is_stored_without_a_comment(
    make_hook: HookFactory,
) -> None:
    hook = make_hook()
    status, _ = hook.jira_event(fixture("jira", "webhook_issue_updated_status.json"))
    item = hook.ctx.store.get_item("jira", "API-1")
    assert status == 202 and item is not None and item.status_category == "in_progress"
    assert hook.jira.writes == []


def test_jira_own_comment_is_not_activity(make_hook: HookFactory) -> None:
    hook = make_hook()
    hook.jira_event(fixture("jira", "webhook_issue_created.json"))
    ours = hook.jira.comments["KAN-22"][0]["id"]
    before = hook.snapshot()
    stored = hook.ctx.store.get_item("jira", "KAN-22")

    # What Jira sends after our comment: issue_updated with no changelog, carrying the comment
    # (as v2 wiki text, whatever format we posted), and a newer `updated`.
    commented = fixture("jira", "webhook_issue_updated_description.json")
    commented["issue_event_type_name"] = "issue_commented"
    commented.pop("changelog")
    commented["issue"]["fields"]["updated"] = "2024-12-29T09:00:00.000+0530"
    human = fixture("jira", "webhook_comment_created.json")["comment"]
    commented["comment"] = {**human, "id": ours, "body": f"Not estimated.\n\n_{SIGNATURE}: ..._"}
    assert hook.jira_event(commented)[0] == 202
    # ... and the comment_created event for the same comment, matched by its id alone.
    comment_event = fixture("jira", "webhook_comment_created.json")
    comment_event["issue"]["key"] = "KAN-22"
    comment_event["issue"]["fields"]["project"]["key"] = "KAN"
    comment_event["comment"]["id"] = ours
    assert hook.jira_event(comment_event)[0] == 202

    after = hook.snapshot()
    assert after["items"] == before["items"] and after["api_calls"] == before["api_calls"]
    assert hook.ctx.store.get_item("jira", "KAN-22") == stored
    assert list(hook.dispatcher.outcomes)[-2:] == [
        "ignored: Refinery's own comment on KAN-22",
        "ignored: Refinery's own comment on KAN-22",
    ]


def test_jira_comment_by_a_person_changes_nothing(make_hook: HookFactory) -> None:
    hook = make_hook()
    before = hook.snapshot()
    status, _ = hook.jira_event(fixture("jira", "webhook_comment_created.json"))
    after = hook.snapshot()
    assert status == 202
    assert {**after, "WebhookDelivery": 0} == {**before, "WebhookDelivery": 0}
    assert hook.dispatcher.outcomes[-1].startswith("ignored: comment on SB-1")


def test_jira_deleted_issue_is_marked_gone(make_hook: HookFactory) -> None:
    hook = make_hook()
    created = fixture("jira", "webhook_issue_created.json")
    hook.jira_event(created)
    deleted = copy.deepcopy(created)
    deleted["webhookEvent"] = "jira:issue_deleted"
    assert hook.jira_event(deleted)[0] == 202
    assert hook.ctx.store.keys("jira") == set()
    assert hook.ctx.store.get_item("jira", "KAN-22") is not None  # kept for history


def test_github_issue_events_replayed(make_hook: HookFactory) -> None:
    hook = make_hook()
    for name in ("webhook_issues_opened.json", "webhook_issues_edited.json"):
        assert hook.github_event("issues", fixture("github", name))[0] == 202
    assert hook.ctx.store.keys("github") == {"Codertocat/Hello-World#1"}
    assert hook.github.writes == []  # a labelled bug with a clear text: no finding in scope

    status, _ = hook.github_event("issues", fixture("github", "webhook_issues_edited_body.json"))
    assert status == 202
    assert [(c.method, c.path) for c in hook.github.writes] == [
        ("POST", "/api/v3/repos/Pritesh-30/test-repo/issues/6/comments")
    ]
    body = hook.github.comments["Pritesh-30/test-repo#6"][0]["body"]
    assert body.startswith("<!-- refinery:comment -->\n@Pritesh-30 ")

    # A person's comment on the issue is activity: the item is refreshed, nothing is written.
    hook.github.reset_calls()
    status, _ = hook.github_event(
        "issue_comment", fixture("github", "webhook_issue_comment_created.json")
    )
    item = hook.ctx.store.get_item("github", "Codertocat/Hello-World#1")
    assert status == 202 and item is not None and item.updated is not None
    assert item.updated.isoformat() == "2019-05-15T15:20:21+00:00"
    assert hook.github.calls == []


def test_github_own_comment_and_its_deletion(make_hook: HookFactory) -> None:
    hook = make_hook()
    edited = fixture("github", "webhook_issues_edited_body.json")
    hook.github_event("issues", edited)
    [ours] = hook.github.comments["Pritesh-30/test-repo#6"]
    stored = hook.ctx.store.get_item("github", "Pritesh-30/test-repo#6")

    event = fixture("github", "webhook_issue_comment_created.json")
    event["issue"] = copy.deepcopy(edited["issue"])
    event["issue"]["updated_at"] = "2026-01-17T12:00:00Z"
    event["repository"] = edited["repository"]
    event["comment"] = {**event["comment"], "id": ours["id"], "body": ours["body"]}
    hook.github.reset_calls()
    assert hook.github_event("issue_comment", event)[0] == 202
    assert hook.ctx.store.get_item("github", "Pritesh-30/test-repo#6") == stored  # not activity
    assert hook.github.calls == []

    # A person deletes our comment: respected; the same findings bring no new comment.
    deleted = {**event, "action": "deleted"}
    assert hook.github_event("issue_comment", deleted)[0] == 202
    row = ledger(hook, "Pritesh-30/test-repo#6")
    assert row is not None and row.state == "dismissed" and row.comment_id is None
    hook.github_event("issues", edited)
    assert hook.github.writes == []


def test_pull_request_comment_is_ignored(make_hook: HookFactory) -> None:
    hook = make_hook(github={"repos": []})
    before = hook.snapshot()
    payload = fixture("github", "webhook_issue_comment_created_on_pull_request.json")
    status, answer = hook.github_event("issue_comment", payload)
    assert status == 200 and answer["status"] == "ignored"
    assert hook.snapshot() == before


def test_repositories_not_configured_are_left_alone(make_hook: HookFactory) -> None:
    hook = make_hook(github={"repos": ["acme/shop"]})
    before = hook.snapshot()
    status, answer = hook.github_event(
        "issues", fixture("github", "webhook_issues_edited_body.json")
    )
    # Answered before the inbox: nothing to keep, so nothing is stored, not even the delivery.
    assert (status, answer["status"]) == (200, "ignored")
    assert hook.snapshot() == before and hook.ctx.store.keys("github") == set()
    assert hook.github.calls == []
