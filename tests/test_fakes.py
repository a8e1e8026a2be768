"""The shared fakes answer as the vendors' APIs do, and refuse what they refuse: a fake that
answers more than the real API would hide a bug in the code under test."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from connectors.github.client import GithubClient
from connectors.github.writeback import MARKER, GithubTracker
from tests.fakes.github import API, TOKEN, FakeGithub
from tests.fakes.jira import SITE, FakeJira
from tests.fakes.slack import FakeSlack


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_jira_comments_page_by_start_at_and_never_echo_properties(
    rsps: responses.RequestsMock,
) -> None:
    site = FakeJira(rsps)
    url = f"{SITE}/rest/api/3/issue/PAY-1/comment"
    property_ = [{"key": "refinery", "value": {"by": "refinery"}}]
    for n in range(3):
        created = requests.post(url, json={"body": f"note {n}", "properties": property_})
        assert created.status_code == 201 and "properties" not in created.json()
    assert site.comments["PAY-1"][0]["properties"] == property_  # stored, as Jira does
    page = requests.get(url, params={"startAt": 1, "maxResults": 1}).json()
    assert (page["startAt"], page["maxResults"], page["total"]) == (1, 1, 3)
    assert [c["body"] for c in page["comments"]] == ["note 1"]
    expanded = requests.get(url, params={"expand": "properties"}).json()
    assert all("properties" not in c for c in expanded["comments"])  # not a documented expand
    assert requests.put(f"{url}/99999", json={"body": "x"}).status_code == 404


def test_jira_down_answers_503_everywhere(rsps: responses.RequestsMock) -> None:
    site = FakeJira(rsps)
    site.down = True
    assert requests.get(f"{SITE}/rest/api/3/field").status_code == 503
    assert requests.get(f"{SITE}/rest/api/3/issue/PAY-1/comment").status_code == 503
    site.down = False
    assert requests.get(f"{SITE}/rest/api/3/field").status_code == 200


def test_github_comments_page_thirty_by_default_and_at_most_a_hundred(
    rsps: responses.RequestsMock,
) -> None:
    fake = FakeGithub(rsps)
    fake.comments["acme/shop#7"] = [{"id": n, "body": f"note {n}"} for n in range(1, 136)]
    first = requests.get(f"{API}/repos/acme/shop/issues/7/comments")
    assert len(first.json()) == 30
    # The next page is linked by repository id, as GitHub links it.
    assert first.links["next"]["url"].startswith(f"{API}/repositories/1/issues/7/comments?")
    wide = requests.get(f"{API}/repos/acme/shop/issues/7/comments", params={"per_page": 500})
    assert len(wide.json()) == 100
    rest = requests.get(wide.links["next"]["url"])
    assert [c["id"] for c in rest.json()] == list(range(101, 136)) and "next" not in rest.links


def test_the_github_tracker_finds_its_comment_on_a_later_page(
    rsps: responses.RequestsMock,
) -> None:
    fake = FakeGithub(rsps)
    foreign = [{"id": n, "body": f"someone else {n}"} for n in range(1, 121)]
    fake.comments["acme/shop#7"] = [*foreign, {"id": 500, "body": f"Missing: why.\n\n{MARKER}"}]
    client = GithubClient(
        TOKEN, API, seconds_between_requests=0, seconds_between_writes=0, max_retries=0
    )
    assert GithubTracker(client).find_own_comment("acme/shop#7") == "500"
    assert [call.method for call in fake.calls] == ["GET", "GET"]


def slack_call(
    slack: FakeSlack,
    method: str,
    params: dict[str, Any],
    token: str = "xoxb-test",
    form: bool = False,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if form:
        data = "&".join(f"{k}={v}" for k, v in params.items()).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(params).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(slack.api_url + method, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_slack_refuses_what_slack_refuses() -> None:
    with FakeSlack({"CBUSY": "ratelimited", "CGONE": "channel_not_found"}) as slack:
        post = {"channel": "C1", "text": "hi"}
        assert slack_call(slack, "chat.postMessage", post, token="")[2]["error"] == "not_authed"
        assert slack_call(slack, "chat.nonsense", post)[2]["error"] == "unknown_method"
        assert slack_call(slack, "chat.postMessage", {"channel": "C1"})[2]["error"] == "no_text"
        updated = slack_call(slack, "chat.update", post)[2]
        assert updated == {"ok": False, "error": "message_not_found"}
        looked_up = slack_call(slack, "users.lookupByEmail", {"email": "ana@example.com"})
        assert looked_up[2]["error"] == "invalid_arguments"  # form arguments only
        form = slack_call(slack, "users.lookupByEmail", {"email": "ana@example.com"}, form=True)
        assert form[2] == {"ok": True, "user": {"id": "UANA"}}
        status, headers, busy = slack_call(slack, "chat.postMessage", {**post, "channel": "CBUSY"})
        assert (status, headers["Retry-After"], busy["error"]) == (429, "0", "ratelimited")
        gone = slack_call(slack, "chat.postMessage", {**post, "channel": "CGONE"})[2]
        assert gone == {"ok": False, "error": "channel_not_found"}
        first = slack_call(slack, "chat.postMessage", post)[2]
        again = slack_call(slack, "chat.update", {**post, "ts": first["ts"]})[2]
        assert first["ok"] and again == {"ok": True, "channel": "C1", "ts": first["ts"]}
