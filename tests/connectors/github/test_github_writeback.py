"""GithubTracker: one marked comment per issue, issue creation, labels, closing, dry run."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from connectors.base import ConnectorError, IssueDraft
from connectors.github.client import GithubClient
from connectors.github.writeback import MARKER, GithubTracker, issue_body, split_key
from tests.fakes.github import FakeGithub, at, load

COMMENTS = "/repos/acme/shop/issues/7/comments"


def recorded_comments(rsps: responses.RequestsMock) -> list[dict[str, Any]]:
    """acme/shop#7 on the shared fake, starting with the recorded comments (the live list)."""
    fake = FakeGithub(rsps)
    fake.comments["acme/shop#7"] = load("rest_list_issue_comments.json")
    return fake.comments["acme/shop#7"]


def post_or_edit(tracker: GithubTracker, key: str, body: str) -> str:
    """What the comment service does through the Tracker protocol."""
    existing = tracker.find_own_comment(key)
    if existing is None:
        return tracker.add_comment(key, body)
    tracker.edit_comment(key, existing, body)
    return existing


def methods(rsps: responses.RequestsMock) -> list[str]:
    return [str(call.request.method) for call in rsps.calls]


def test_commenting_twice_leaves_one_edited_comment(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    comments = recorded_comments(rsps)
    recorded = len(comments)
    tracker = GithubTracker(client)
    first = post_or_edit(tracker, "acme/shop#7", "Missing: why.")
    second = post_or_edit(tracker, "acme/shop#7", "Missing: outcome.")
    assert first == second == "10001"
    ours = [c for c in comments if MARKER in c["body"]]
    assert len(comments) == recorded + 1 and len(ours) == 1
    assert ours[0]["body"] == f"Missing: outcome.\n\n{MARKER}"
    assert methods(rsps) == ["GET", "POST", "GET", "PATCH"]
    assert "per_page=100" in str(rsps.calls[0].request.url)


def test_find_own_comment_follows_the_link_pages(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    page2 = "https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2"
    rsps.add(
        responses.GET,
        at(COMMENTS),
        json=load("rest_list_issue_comments.json"),
        headers={"Link": f'<{page2}>; rel="next"'},
    )
    rsps.add(
        responses.GET,
        at("/repositories/1/issues/7/comments"),
        json=[{"id": 77, "body": f"Earlier note\n\n{MARKER}"}],
    )
    assert GithubTracker(client).find_own_comment("acme/shop#7") == "77"
    assert len(rsps.calls) == 2 and "page=2" in str(rsps.calls[1].request.url)


def test_delete_comment(rsps: responses.RequestsMock, client: GithubClient) -> None:
    comments = recorded_comments(rsps)
    tracker = GithubTracker(client)
    comment = tracker.add_comment("acme/shop#7", "Ready now?")
    tracker.delete_comment("acme/shop#7", comment)
    assert tracker.find_own_comment("acme/shop#7") is None
    assert all(MARKER not in c["body"] for c in comments)


def test_create_issue_writes_why_and_outcome_sections(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    rsps.add(
        responses.POST,
        at("/repos/acme/shop/issues"),
        status=201,
        json={"number": 42, "html_url": "https://github.com/acme/shop/issues/42"},
    )
    draft = IssueDraft(
        project="acme/shop",
        title="Faster checkout",
        why="Carts are abandoned.",
        outcome="Conversion from 2.1% to 2.5%",
        labels=["intake"],
        requested_by="Dana",
        issue_type="Story",  # what the accept form carries: a Jira issue type
    )
    created = GithubTracker(client).create_issue(draft)
    assert (created.key, created.url) == ("acme/shop#42", "https://github.com/acme/shop/issues/42")
    sent = json.loads(rsps.calls[0].request.body or "{}")
    assert sent["title"] == "Faster checkout" and sent["labels"] == ["intake"]
    assert "type" not in sent  # GitHub would refuse a type the organisation has not defined
    assert rsps.calls[0].request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert sent["body"].startswith("### Why\n\nCarts are abandoned.\n\n### Outcome\n\nConversion")


def test_created_body_reads_back_as_sections() -> None:
    from connectors.text import analyze

    body = issue_body(IssueDraft(project="a/b", title="t", why="Because.", outcome=""))
    sections = analyze(body, "markdown").sections
    assert sections["why"] == "Because." and sections["outcome"] == ""


def test_labels(rsps: responses.RequestsMock, client: GithubClient) -> None:
    rsps.add(responses.POST, at("/repos/acme/shop/issues/7/labels"), json=[{"name": "needs why"}])
    rsps.add(responses.DELETE, at("/repos/acme/shop/issues/7/labels/needs%20why"), json=[])
    rsps.add(
        responses.DELETE,
        at("/repos/acme/shop/issues/7/labels/gone"),
        status=404,
        json={"message": "Label does not exist"},
    )
    tracker = GithubTracker(client)
    tracker.add_label("acme/shop#7", "needs why")
    tracker.remove_label("acme/shop#7", "needs why")
    tracker.remove_label("acme/shop#7", "gone")  # already absent: fine
    assert json.loads(rsps.calls[0].request.body or "{}") == {"labels": ["needs why"]}
    assert methods(rsps) == ["POST", "DELETE", "DELETE"]


def test_close_comments_the_reason_then_closes_as_not_planned(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    comments = recorded_comments(rsps)
    rsps.add(responses.PATCH, at("/repos/acme/shop/issues/7"), json={"state": "closed"})
    tracker = GithubTracker(client)
    tracker.close("acme/shop#7", "Declined: duplicate of #3.")
    assert methods(rsps) == ["POST", "PATCH"]
    assert comments[-1]["body"].startswith("Declined: duplicate of #3.")
    assert json.loads(rsps.calls[1].request.body or "{}") == {
        "state": "closed",
        "state_reason": "not_planned",
    }
    assert tracker.find_own_comment("acme/shop#7") is None  # the reason is not our health note


def test_dry_run_sends_no_write(rsps: responses.RequestsMock, client: GithubClient) -> None:
    recorded_comments(rsps)
    tracker = GithubTracker(client, dry_run=True)
    assert tracker.add_comment("acme/shop#7", "x") == "dry-run"
    tracker.edit_comment("acme/shop#7", "1", "x")
    tracker.delete_comment("acme/shop#7", "1")
    tracker.create_issue(IssueDraft(project="acme/shop", title="t", why="w"))
    tracker.add_label("acme/shop#7", "l")
    tracker.remove_label("acme/shop#7", "l")
    tracker.close("acme/shop#7", "no")
    assert [m for m in methods(rsps) if m != "GET"] == []
    assert len(rsps.calls) == 0 and client.writes == 0


def test_bad_keys_are_refused() -> None:
    assert split_key("acme/shop#12") == ("acme/shop", 12)
    for bad in ("PAY-12", "acme#1", "acme/shop#x"):
        with pytest.raises(ConnectorError):
            split_key(bad)
