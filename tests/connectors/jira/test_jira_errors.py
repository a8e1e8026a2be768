"""Clear errors for bad credentials, wrong URLs and rejected JQL; secrets never shown."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import responses

from bot.config import JiraConfig, Settings
from bot.store import Store, open_store
from connectors.base import AuthError, ConnectorError, RateLimited
from connectors.jira import (
    JiraClient,
    JiraUnreachable,
    JqlRejected,
    make_jira_stream,
    make_jira_tracker,
)
from connectors.jira.search import JiraStream, base_jql
from tests.fakes.jira import SITE

TOKEN = "s3cret-token"


def stream(**overrides: Any) -> JiraStream:
    values: dict[str, Any] = {"url": SITE, "email": "po@example.com", "api_token": TOKEN}
    values |= {"projects": ["PAY"], **overrides}
    cfg = JiraConfig(**values)
    return JiraStream(JiraClient(cfg), cfg)


def test_bad_credentials_are_an_auth_error_without_the_token(
    rsps: responses.RequestsMock,
) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", status=401, body="")
    with pytest.raises(AuthError) as caught:
        stream().plan(None)
    message = str(caught.value)
    assert "401" in message and "jira.api_token" in message and TOKEN not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_forbidden_is_an_auth_error_with_jiras_reason(rsps: responses.RequestsMock) -> None:
    rsps.add(
        "GET",
        f"{SITE}/rest/api/3/field",
        status=403,
        json={"errorMessages": ["You do not have permission"]},
    )
    with pytest.raises(AuthError, match="You do not have permission"):
        stream().plan(None)


def test_wrong_url_404_says_check_the_url(rsps: responses.RequestsMock) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", status=404, body="<html>Not found</html>")
    with pytest.raises(JiraUnreachable, match=r"check jira\.url") as caught:
        stream().plan(None)
    assert "<html>" not in str(caught.value)


def test_unreachable_host_fails_fast_without_retry_sleeps(
    rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", body=requests.ConnectionError("refused"))
    with pytest.raises(JiraUnreachable, match="cannot reach Jira"):
        stream().plan(None)
    assert sleeps == [] and len(rsps.calls) == 1


def test_rejected_jql_shows_jiras_message(rsps: responses.RequestsMock) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", json=[])
    rsps.add(
        "POST",
        f"{SITE}/rest/api/3/search/jql",
        status=400,
        json={"errorMessages": ["Field 'colour' does not exist or you do not have permission."]},
    )
    with pytest.raises(JqlRejected, match="Field 'colour' does not exist"):
        list(stream(jql="colour = red").fetch(None))


def test_rate_limit_that_never_ends_is_rate_limited(
    rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", json=[])
    rsps.add(
        "POST", f"{SITE}/rest/api/3/search/jql", status=429, headers={"Retry-After": "3"}, body=""
    )
    with pytest.raises(RateLimited) as caught:
        list(stream(max_retries=2).fetch(None))
    assert caught.value.resume_at == "3" and len(sleeps) == 2


def test_first_contact_busy_still_honours_retry_after(
    rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    rsps.add("GET", f"{SITE}/rest/api/3/field", status=503, headers={"Retry-After": "2"})
    rsps.add("GET", f"{SITE}/rest/api/3/field", json=[])
    assert stream().field_map().story_points == ()
    assert len(sleeps) == 1 and 2 <= sleeps[0] <= 4


def test_jql_needs_jql_or_projects() -> None:
    with pytest.raises(ConnectorError, match=r"jira\.jql or jira\.projects"):
        base_jql(JiraConfig(url=SITE))
    assert base_jql(JiraConfig(url=SITE, projects=["PAY", "OPS"])) == (
        'project in ("PAY", "OPS") AND statusCategory != Done'
    )


def test_factories_build_without_network(tmp_path: Any, rsps: responses.RequestsMock) -> None:
    settings = Settings(jira={"url": SITE, "projects": ["PAY"], "dry_run": True})
    store: Store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        built = make_jira_stream(settings, store)
        assert built.name == f"jira:{SITE}" and built.source == "jira"
        tracker = make_jira_tracker(settings)
        assert tracker.dry_run and tracker.body_format == "adf"
    finally:
        store.close()
    assert len(rsps.calls) == 0
