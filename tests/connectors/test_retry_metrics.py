"""Every retried request reaches the hook with its source and reason; /metrics counts it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import responses
from prometheus_client.exposition import generate_latest

from bot.metrics import PROCESS
from connectors.github.client import GithubClient
from connectors.jira.client import JiraClient
from connectors.jira.config import JiraConfig
from connectors.retries import on_retry

GITHUB_API = "https://api.github.com"
JIRA_SITE = "https://acme.atlassian.net"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the retry waits (urllib3's for GitHub, the jira library's) instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", waits.append)
    monkeypatch.setattr(time, "sleep", waits.append)
    return waits


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []
    unsubscribe = on_retry(lambda source, reason: calls.append((source, reason)))
    yield calls
    unsubscribe()


def retries(source: str, reason: str) -> float:
    labels = {"source": source, "reason": reason}
    return PROCESS.get_sample_value("refinery_source_retries_total", labels) or 0.0


def test_github_429_with_retry_after_then_200_counts_one_retry(
    rsps: responses.RequestsMock, no_sleep: list[float], heard: list[tuple[str, str]]
) -> None:
    url = re.compile(r"https://api\.github\.com(:443)?/repos/acme/shop$")  # PyGithub adds :443
    rsps.get(url, status=429, json={"message": "slow down"}, headers={"Retry-After": "2"})
    rsps.get(url, json={"full_name": "acme/shop"})
    before = retries("github", "429")
    client = GithubClient("t0ken", GITHUB_API, seconds_between_requests=0, seconds_between_writes=0)
    _, data = client.get("/repos/acme/shop")
    assert data["full_name"] == "acme/shop"
    assert len(rsps.calls) == 2
    assert heard == [("github", "429")]
    assert retries("github", "429") == before + 1


def test_jira_429_with_retry_after_then_200_counts_one_retry(
    rsps: responses.RequestsMock, no_sleep: list[float], heard: list[tuple[str, str]]
) -> None:
    url = f"{JIRA_SITE}/rest/api/3/myself"
    rsps.get(url, status=429, json={}, headers={"Retry-After": "1"})
    rsps.get(url, json={"accountId": "557058:x"})
    before = retries("jira", "429")
    client = JiraClient(JiraConfig(url=JIRA_SITE, max_retries=3))
    assert client.get("/rest/api/3/myself") == {"accountId": "557058:x"}
    assert heard == [("jira", "429")]
    assert retries("jira", "429") == before + 1
    exposed = generate_latest(PROCESS).decode()
    assert 'refinery_source_retries_total{reason="429",source="jira"}' in exposed


def test_a_failing_listener_never_fails_the_request(
    rsps: responses.RequestsMock, no_sleep: list[float]
) -> None:
    def broken(source: str, reason: str) -> None:
        raise RuntimeError("listener bug")

    url = f"{JIRA_SITE}/rest/api/3/myself"
    rsps.get(url, status=503, json={}, headers={"Retry-After": "1"})
    rsps.get(url, json={"accountId": "557058:x"})
    before = retries("jira", "503")
    unsubscribe = on_retry(broken)
    try:
        client = JiraClient(JiraConfig(url=JIRA_SITE, max_retries=3))
        assert client.get("/rest/api/3/myself") == {"accountId": "557058:x"}
    finally:
        unsubscribe()
    assert retries("jira", "503") == before + 1
