"""Rate limits: a low primary budget stops cleanly; secondary limits are waited out."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
import time_machine

from bench.stubs.github_stub import Canned, GithubStub, make_issues
from bot.services.sync import run_stream
from bot.store import Store
from connectors.base import AuthError, RateLimited
from connectors.github.client import GithubClient
from connectors.github.sync import IssueStream, one_second_before
from tests.fakes.github import TOKEN, FakeGithub, at

SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def test_low_budget_stops_after_storing_the_page(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    repo = FakeGithub(rsps, issues)
    repo.remaining = 50  # the first answer says 49 left; the minimum is 50
    summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert len(rsps.calls) == 1  # no request after the budget ran low
    assert summary.stopped is not None and f"resume after {iso(repo.reset)}" in summary.stopped
    stored = store.keys("github")
    assert 90 <= len(stored) <= 100  # the first page (less its pull requests) is kept
    cursor = store.get_cursor("github:acme/shop")[0]
    assert cursor is not None
    assert cursor == max(i["updated_at"] for i in issues[:100])

    # Another repository on the same token does not even start.
    other = run_stream(store, IssueStream(client, "acme/other"))
    assert other.stopped is not None and other.requests == 0 and len(rsps.calls) == 1

    # After the reset the sync resumes from the stored cursor and finishes.
    repo.remaining = 5000
    with time_machine.travel(repo.reset + 5):
        resumed = run_stream(store, IssueStream(client, "acme/shop"))
    assert resumed.stopped is None
    assert repo.queries[1]["since"] == one_second_before(cursor)  # "after": one second back
    assert len(store.keys("github")) == 250


def test_exhausted_primary_budget_is_not_slept_through(
    rsps: responses.RequestsMock, client: GithubClient, store: Store, issues: list[dict[str, Any]]
) -> None:
    """403 "API rate limit exceeded" an hour before the reset: stop, say when to resume."""
    repo = FakeGithub(rsps, issues)
    reset = int(time.time()) + 3600
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}
    repo.script[2] = (403, headers, {"message": "API rate limit exceeded for user ID 1."})
    summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert summary.stopped is not None and iso(reset) in summary.stopped
    assert summary.pages == 1 and store.get_cursor("github:acme/shop")[0] is not None


def test_429_without_retry_after_stops_cleanly(
    rsps: responses.RequestsMock, client: GithubClient, issues: list[dict[str, Any]]
) -> None:
    repo = FakeGithub(rsps, issues)
    reset = int(time.time()) + 600
    repo.script[1] = (429, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}, {})
    with pytest.raises(RateLimited) as caught:
        list(IssueStream(client, "acme/shop").fetch(None))
    assert caught.value.resume_at == iso(reset)


def test_bad_token_is_an_auth_error_without_the_token(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    rsps.add(
        responses.GET,
        at("/repos/acme/shop/issues"),
        status=401,
        json={"message": "Bad credentials"},
    )
    with pytest.raises(AuthError) as caught:
        list(IssueStream(client, "acme/shop").fetch(None))
    assert "401" in str(caught.value) and TOKEN not in str(caught.value)
    assert rsps.calls[0].request.headers["Authorization"] == f"token {TOKEN}"


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record urllib3's retry sleeps instead of sleeping (the stub has no latency to sleep)."""
    waits: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", waits.append)
    return waits


def test_secondary_limits_are_waited_out(
    slept: list[float], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over real sockets, so urllib3 really retries: 403 and 429 with Retry-After, then 403
    with only the secondary-limit message (GithubRetry then waits its 60 s default)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with GithubStub(make_issues(150), latency=0) as stub:
        stub.canned.extend(
            [
                Canned(403, {"message": SECONDARY}, {"Retry-After": "7"}),
                Canned(429, {"message": SECONDARY}, {"Retry-After": "3"}),
                Canned(403, {"message": SECONDARY}),
            ]
        )
        client = GithubClient(
            TOKEN, stub.base_url, seconds_between_requests=0, seconds_between_writes=0
        )
        summary = run_stream(store, IssueStream(client, "acme/shop"))
    assert summary.stopped is None
    assert len(store.keys("github")) == 150
    assert slept == [7, 3, 60]
    assert len(stub.log) == summary.requests + 3  # each refusal cost one retried request
