"""IssueStream: request budgets, keyset paging, PR skipping, resumable cursors."""

from __future__ import annotations

import contextlib
import math
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses

from bench.stubs.github_stub import make_issues
from bot.services.sync import run_stream
from bot.store import Store
from connectors.github.client import GithubClient
from connectors.github.sync import IssueStream, one_second_before
from tests.fakes.github import FakeGithub, at, load


def test_full_sync_stays_within_the_request_budget(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    FakeGithub(rsps, issues)
    summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert len(rsps.calls) <= math.ceil(250 / 100) + 2
    assert len(rsps.calls) == 3 == summary.requests  # the counted requests are the real ones
    assert len(store.keys("github", "acme/shop")) == 250  # every issue, no pull request
    assert summary.inserted == summary.items == 250  # the boundary repeats are dropped
    newest = max(issue["updated_at"] for issue in issues)
    assert store.get_cursor("github:acme/shop")[0] == newest


def test_incremental_sync_of_seven_changes(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    repo = FakeGithub(rsps, issues)
    stream = IssueStream(client, "acme/shop")
    run_stream(store, stream)
    cursor = store.get_cursor("github:acme/shop")[0]
    assert cursor is not None
    changed = [3, 40, 99, 120, 180, 201, 249]
    for number in changed:
        next(i for i in issues if i["number"] == number)["title"] = f"Edited {number}"
    repo.touch(changed, "2026-03-01T10:00:00Z")
    before = len(rsps.calls)
    summary = run_stream(store, stream)
    assert len(rsps.calls) - before <= math.ceil(7 / 100) + 1
    assert summary.updated == 7  # plus the newest old issue, re-read from one second before
    assert summary.unchanged <= 1
    assert repo.queries[-1]["since"] == one_second_before(cursor)
    edited = store.get_item("github", "acme/shop#40")
    assert edited is not None and edited.title == "Edited 40"
    assert store.get_cursor("github:acme/shop")[0] == "2026-03-01T10:00:00Z"


def test_incremental_sends_the_cursor_as_since(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    repo = FakeGithub(rsps, issues)
    store.set_cursor("github:acme/shop", "2025-01-01T04:00:00Z")
    run_stream(store, IssueStream(client, "acme/shop"))
    first = repo.queries[0]
    assert first == {
        "state": "all",
        "sort": "updated",
        "direction": "asc",
        "per_page": "100",
        "since": "2025-01-01T03:59:59Z",  # GitHub's since is "after": issues at 04:00 count
    }


def test_recorded_mixed_page_with_its_link_header(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    """The real recording: 2 PRs among 5, a Link to page 2, X-RateLimit-* headers."""
    body = load("rest_list_repo_issues.trimmed.json")
    recorded = load("rest_list_repo_issues.response_headers.json")["headers"]
    headers = {
        k: v
        for k, v in recorded.items()
        if k.lower() not in ("content-encoding", "transfer-encoding", "content-type")
    }
    url = at("/repos/PyGithub/PyGithub/issues")
    rsps.add(responses.GET, url, json=body, headers=headers)
    rsps.add(
        responses.GET,
        url,
        json=[],
        headers={
            "X-RateLimit-Remaining": "4982",
            "X-RateLimit-Reset": recorded["X-RateLimit-Reset"],
        },
    )
    summary = run_stream(store, IssueStream(client, "PyGithub/PyGithub"))
    assert sorted(store.keys("github")) == [
        "PyGithub/PyGithub#3037",
        "PyGithub/PyGithub#3038",
        "PyGithub/PyGithub#3042",
    ]
    assert summary.requests == len(rsps.calls) == 2
    second = dict(parse_qsl(urlsplit(str(rsps.calls[1].request.url)).query))
    newest = max(issue["updated_at"] for issue in body)  # PRs count for paging
    assert second["since"] == one_second_before(newest)
    assert client.budgets["core"].remaining == 4982


def test_a_deprecation_link_is_not_a_next_page(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    body = load("rest_list_repo_issues_type_bug_2025.json")
    link = '<https://github.blog/changelog/2025-03-06-x/>; rel="deprecation"; type="text/html"'
    rsps.add(
        responses.GET, at("/repos/PyGithub/PyGithub/issues"), json=body, headers={"Link": link}
    )
    summary = run_stream(store, IssueStream(client, "PyGithub/PyGithub"))
    assert (summary.items, summary.requests, len(rsps.calls)) == (3, 1, 1)


def test_an_issue_edited_mid_sync_does_not_hide_another(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    """Numbered pages would skip #101 here: #5 moves to the end while page 2 is requested."""
    issues = make_issues(250)
    repo = FakeGithub(rsps, issues)
    stream = IssueStream(client, "acme/shop")
    pages = stream.fetch(None)
    seen = [item.key for item in next(pages).items]
    repo.touch([5], "2026-06-01T00:00:00Z")
    for page in pages:
        seen.extend(item.key for item in page.items)
    assert set(seen) == {f"acme/shop#{n}" for n in range(1, 251)}


def test_a_bulk_edit_sharing_one_timestamp_is_paged_by_number(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    issues = make_issues(230)
    FakeGithub(rsps, issues).touch(list(range(1, 231)), "2026-02-02T02:02:02Z")
    summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert len(store.keys("github")) == summary.items == 230
    assert summary.requests == len(rsps.calls) == 3
    assert "page" in str(rsps.calls[1].request.url)


def test_a_tie_across_page_boundaries_loses_nothing(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    issues = make_issues(330)  # 50 older, 250 edited in one second, 30 newer
    repo = FakeGithub(rsps, issues)
    repo.touch(list(range(51, 301)), "2026-02-02T02:02:02Z")
    repo.touch(list(range(301, 331)), "2026-02-03T00:00:00Z")
    summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert len(store.keys("github")) == summary.items == 330
    assert summary.requests <= math.ceil(330 / 100) + 2


def test_a_crash_resumes_from_the_last_stored_page(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    FakeGithub(rsps, issues)
    stream = IssueStream(client, "acme/shop")

    class Crash(Exception):
        pass

    def crashing_upsert(items: Any, now: Any = None, **options: Any) -> Any:
        calls.append(len(items))
        if len(calls) == 2:
            raise Crash
        return real_upsert(items, now, **options)

    calls: list[int] = []
    real_upsert = store.upsert_items
    store.upsert_items = crashing_upsert  # type: ignore[method-assign]
    with contextlib.suppress(Crash):
        run_stream(store, stream)
    store.upsert_items = real_upsert  # type: ignore[method-assign]
    cursor = store.get_cursor("github:acme/shop")[0]
    assert cursor is not None and len(store.keys("github")) < 250
    run_stream(store, stream)
    assert len(store.keys("github")) == 250


def test_live_keys_are_unsupported(client: GithubClient) -> None:
    stream = IssueStream(client, "acme/shop")
    assert stream.live_keys() is None
    assert stream.plan(None).requests == 0
    assert stream.name == "github:acme/shop"


def test_since_is_exclusive_and_a_tie_at_the_cursor_is_still_read(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    """GitHub's `since` returns issues updated *after* it (the fake does so too): an issue
    updated in the cursor's very second, but not on the page that set the cursor, is read."""
    issues = make_issues(150)
    repo = FakeGithub(rsps, issues)
    tie = next(i for i in issues if i["number"] == 90)["updated_at"]
    repo.touch(list(range(90, 121)), tie)  # 31 issues share one second, across page 1's end
    pages = IssueStream(client, "acme/shop").fetch(None)
    first = next(pages)
    assert first.cursor == tie and len(first.items) == 100  # the page ends inside the tie
    rest = [item.key for page in pages for item in page.items]
    keys = {item.key for item in first.items} | set(rest)
    assert keys == {f"acme/shop#{n}" for n in range(1, 151)}
    assert all(q.get("since", "") != tie for q in repo.queries)  # never "after the tie"
