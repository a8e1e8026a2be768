"""Write-back: Refinery's one comment per item, new issues, labels, closing, and dry runs."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from bot.config import JiraConfig
from connectors.base import ConnectorError, IssueDraft
from connectors.jira import JiraClient, JiraTracker
from connectors.jira.writeback import pick_done_transition
from tests.fakes.jira import SITE, FakeJira, load
from tests.fakes.sent import json_of, url_of

DC_SITE = "https://jira.acme.corp"


def tracker(dry_run: bool = False, site: str = SITE, email: str = "po@example.com") -> JiraTracker:
    cfg = JiraConfig(url=site, email=email, api_token="s3cret-token", dry_run=dry_run)
    return JiraTracker(JiraClient(cfg), dry_run=dry_run)


def documented_comments(rsps: responses.RequestsMock, key: str = "PAY-1") -> FakeJira:
    """The site, with issue `key` holding the documented comment list (one foreign comment)."""
    site = FakeJira(rsps)
    site.comments[key] = load("issue_comments_get_200.openapi-example.json")["comments"]
    return site


def comment_twice(jira: JiraTracker, key: str, first: Any, second: Any) -> None:
    """What the comment service does: find Refinery's comment, edit it, else add one."""
    for body in (first, second):
        found = jira.find_own_comment(key)
        if found:
            jira.edit_comment(key, found, body)
        else:
            jira.add_comment(key, body)


def test_commenting_twice_leaves_one_edited_comment(rsps: responses.RequestsMock) -> None:
    site = documented_comments(rsps)
    comments = site.comments["PAY-1"]
    jira = tracker()
    assert jira.body_format == "adf"
    first, second = signed_doc("Not ready yet."), signed_doc("Ready now.")
    comment_twice(jira, "PAY-1", first, second)
    ours = [c for c in comments if c.get("properties")]
    assert len(ours) == 1 and ours[0]["body"] == second
    assert ours[0]["properties"][0]["key"] == "refinery"
    assert len(comments) == 2  # the foreign comment is untouched
    methods = [c.request.method for c in rsps.calls]
    assert methods == ["GET", "POST", "GET", "PUT"]
    assert url_of(rsps.calls[3]).endswith("?notifyUsers=false")  # watchers not e-mailed
    # The listing documents no expand=properties: Refinery must not rely on one.
    assert all("expand" not in call.query for call in site.calls if call.method == "GET")


def signed_doc(text: str) -> dict[str, Any]:
    """An ADF body as Refinery writes it: its text, then the signature line."""
    paragraphs = [text, "Posted by Refinery: this comment is updated as the item changes."]
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]}
            for line in paragraphs
        ],
    }


def test_a_foreign_comment_quoting_nothing_of_ours_is_not_taken_for_ours(
    rsps: responses.RequestsMock,
) -> None:
    documented_comments(rsps)  # the documented example: one comment by someone else
    assert tracker().find_own_comment("PAY-1") is None


def test_user_text_is_escaped_in_data_center_wiki_markup(rsps: responses.RequestsMock) -> None:
    rsps.add("GET", f"{DC_SITE}/rest/api/2/serverInfo", json={"deploymentType": "Server"})
    rsps.add("POST", f"{DC_SITE}/rest/api/2/issue", json={"id": "1", "key": "OPS-2"}, status=201)
    jira = tracker(site=DC_SITE, email="")
    why = "See [click|http://evil.example] {html}<b>x</b>{html} and ping [~admin]"
    jira.create_issue(IssueDraft(project="OPS", title="t", why=why, outcome="o"))
    description = json_of(rsps.calls[-1])["fields"]["description"]
    assert "[click|http" not in description and "{html}" not in description
    assert r"\[click\|http://evil.example\]" in description
    assert r"\{html\}" in description and r"\[\~admin\]" in description


def test_dry_run_sends_no_write_request(rsps: responses.RequestsMock) -> None:
    rsps.add(
        "GET",
        f"{SITE}/rest/api/3/issue/PAY-1/comment",
        json={"startAt": 0, "maxResults": 100, "total": 0, "comments": []},
    )
    jira = tracker(dry_run=True)
    assert jira.add_comment("PAY-1", "hi") == "dry-run"
    jira.edit_comment("PAY-1", "1", "hi")
    jira.delete_comment("PAY-1", "1")
    jira.add_label("PAY-1", "refinery")
    jira.remove_label("PAY-1", "refinery")
    jira.close("PAY-1", "duplicate of PAY-2")
    created = jira.create_issue(IssueDraft(project="PAY", title="t", why="because"))
    assert created.key == "dry-run"
    assert jira.find_own_comment("PAY-1") is None  # reads are still fine
    assert [c.request.method for c in rsps.calls] == ["GET"]


def test_create_issue_on_cloud_sends_adf_why_and_outcome(rsps: responses.RequestsMock) -> None:
    rsps.add("POST", f"{SITE}/rest/api/3/issue", json={"id": "10100", "key": "PAY-100"}, status=201)
    draft = IssueDraft(
        project="PAY",
        title="Faster checkout",
        why="Users abandon the cart.",
        outcome="Conversion from 2.1% to 2.5%",
        labels=["intake"],
        requested_by="Dana",
    )
    created = tracker().create_issue(draft)
    assert (created.key, created.url) == ("PAY-100", f"{SITE}/browse/PAY-100")
    fields = json_of(rsps.calls[0])["fields"]
    assert fields["issuetype"] == {"name": "Story"} and fields["labels"] == ["intake"]
    nodes = fields["description"]["content"]
    headings = [n["content"][0]["text"] for n in nodes if n["type"] == "heading"]
    assert headings == ["Why", "Outcome"]


def test_create_issue_on_data_center_sends_wiki_markup(rsps: responses.RequestsMock) -> None:
    rsps.add("GET", f"{DC_SITE}/rest/api/2/serverInfo", json={"deploymentType": "Server"})
    rsps.add("POST", f"{DC_SITE}/rest/api/2/issue", json={"id": "1", "key": "OPS-1"}, status=201)
    jira = tracker(site=DC_SITE, email="")
    jira.create_issue(IssueDraft(project="OPS", title="t", why="w", outcome="o", issue_type="Task"))
    assert jira.body_format == "wiki"
    fields = json_of(rsps.calls[-1])["fields"]
    assert fields["description"] == "h2. Why\nw\n\nh2. Outcome\no"
    assert fields["issuetype"] == {"name": "Task"}


def test_labels_are_added_and_removed_without_touching_others(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add("PUT", f"{SITE}/rest/api/3/issue/PAY-1", status=204)
    jira = tracker()
    jira.add_label("PAY-1", "needs-why")
    jira.remove_label("PAY-1", "needs-why")
    updates = [json_of(c) for c in rsps.calls]
    assert updates == [
        {"update": {"labels": [{"add": "needs-why"}]}},
        {"update": {"labels": [{"remove": "needs-why"}]}},
    ]


def test_close_comments_the_reason_then_moves_to_done(rsps: responses.RequestsMock) -> None:
    transitions = {
        "transitions": [
            {"id": "11", "name": "Start", "to": {"statusCategory": {"key": "indeterminate"}}},
            {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
            {"id": "41", "name": "Won't do", "to": {"statusCategory": {"key": "done"}}},
        ]
    }
    base = f"{SITE}/rest/api/3/issue/PAY-1"
    rsps.add("GET", f"{base}/transitions", json=transitions)
    rsps.add("POST", f"{base}/comment", json={"id": "5"}, status=201)
    rsps.add("POST", f"{base}/transitions", status=204)
    tracker().close("PAY-1", "Declined: out of scope this quarter")
    comment = json_of(rsps.calls[1])["body"]
    assert comment["content"][0]["content"][0]["text"] == "Declined: out of scope this quarter"
    assert json_of(rsps.calls[2]) == {"transition": {"id": "41"}}


def test_pick_done_transition_falls_back_to_any_done() -> None:
    done = {"id": "31", "name": "Finish", "to": {"statusCategory": {"key": "done"}}}
    assert pick_done_transition([done]) == done
    assert pick_done_transition([]) is None


def test_close_through_a_configured_status(rsps: responses.RequestsMock) -> None:
    transitions = {
        "transitions": [
            {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}},
            {
                "id": "51",
                "name": "Park",
                "to": {"name": "Parked", "statusCategory": {"key": "new"}},
            },
        ]
    }
    base = f"{SITE}/rest/api/3/issue/PAY-1"
    rsps.add("GET", f"{base}/transitions", json=transitions)
    rsps.add("POST", f"{base}/comment", json={"id": "5"}, status=201)
    rsps.add("POST", f"{base}/transitions", status=204)
    tracker().close("PAY-1", "Declined at the prune: no goal", to_status="parked")
    assert json_of(rsps.calls[2]) == {"transition": {"id": "51"}}


def test_close_to_a_status_the_workflow_lacks_writes_nothing(rsps: responses.RequestsMock) -> None:
    base = f"{SITE}/rest/api/3/issue/PAY-1"
    rsps.add("GET", f"{base}/transitions", json={"transitions": []})
    with pytest.raises(ConnectorError, match=r"no transition to .Won't Do."):
        tracker().close("PAY-1", "Declined", to_status="Won't Do")
    assert [call.request.method for call in rsps.calls] == ["GET"]
