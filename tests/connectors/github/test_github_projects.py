"""Estimates from a Projects v2 field: bulk GraphQL, one query per page of issues at most."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import responses
from requests import PreparedRequest

from bench.stubs.github_stub import make_issues
from bot.config import Settings
from bot.services.sync import run_stream
from bot.store import Store
from connectors.github import make_github_streams, make_github_tracker
from connectors.github.client import GithubClient
from connectors.github.projects import ProjectEstimates
from connectors.github.sync import IssueStream
from tests.connectors.github.conftest import FakeRepo, at


def board_value(number: int) -> dict[str, Any] | None:
    """Issue n's item on board acme/5: a number, a size option, a text, or not on the board."""
    return [
        {"number": float(number % 8)},
        {"name": "M"},
        {"name": "13 points"},
        None,
    ][number % 4]


class FakeGraphql:
    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.asked: list[list[str]] = []
        rsps.add_callback(responses.POST, at("/graphql"), callback=self.answer)

    def answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        variables = json.loads(request.body or "{}")["variables"]
        assert variables["field"] == "Estimate"
        self.asked.append(variables["ids"])
        nodes = []
        for node_id in variables["ids"]:
            number = int(node_id.removeprefix("I_node"))
            value = board_value(number)
            items = [
                {
                    "project": {"number": 9, "owner": {"login": "acme"}},
                    "fieldValueByName": {"number": 99.0},
                }
            ]  # another board: ignored
            if value is not None:
                items.append(
                    {
                        "project": {"number": 5, "owner": {"login": "Acme"}},
                        "fieldValueByName": value,
                    }
                )
            nodes.append({"id": node_id, "projectItems": {"nodes": items}})
        headers = {
            "X-RateLimit-Remaining": "4990",
            "X-RateLimit-Reset": "9999999999",
            "X-RateLimit-Resource": "graphql",
        }
        return 200, headers, json.dumps({"data": {"nodes": nodes}})


def test_board_estimates_fill_the_gaps_in_bulk(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    issues = make_issues(250, pulls=20)
    labelled = {i["number"] for i in issues[:40] if "pull_request" not in i}
    for issue in issues[:40]:
        issue["labels"] = [{"name": "estimate: 1"}]
    FakeRepo(rsps, issues)
    graphql = FakeGraphql(rsps)
    project = ProjectEstimates(client, "acme", 5, "Estimate")
    summary = run_stream(store, IssueStream(client, "acme/shop", project=project))
    pages = math.ceil(250 / 100)
    assert len(rsps.calls) == summary.requests <= pages + 2 + pages
    assert len(graphql.asked) <= pages and all(len(ids) <= 100 for ids in graphql.asked)
    asked = {int(i.removeprefix("I_node")) for ids in graphql.asked for i in ids}
    assert not asked & labelled  # labels win; no lookup for those
    estimates = {item.key: item.estimate for item in store.items("github")}
    for issue in issues:
        if "pull_request" in issue:
            continue
        number = issue["number"]
        expected = 1.0 if number in labelled else [number % 8, 3.0, 13.0, None][number % 4]
        assert estimates[f"acme/shop#{number}"] == expected, number


def test_no_query_when_every_issue_has_a_label_estimate(
    rsps: responses.RequestsMock, client: GithubClient
) -> None:
    issues = make_issues(30)
    for issue in issues:
        issue["labels"] = [{"name": "size: S"}]
    FakeRepo(rsps, issues)
    graphql = FakeGraphql(rsps)
    stream = IssueStream(client, "acme/shop", project=ProjectEstimates(client, "acme", 5))
    pages = list(stream.fetch(None))
    assert graphql.asked == [] and [p.requests for p in pages] == [1]
    assert {item.estimate for item in pages[0].items} == {2.0}


def test_factories_read_the_settings(clean_env: Path) -> None:
    settings = Settings(
        github={
            "token": "ghp_x",
            "repos": ["acme/shop", "acme/app"],
            "estimate_labels": ["pts {n}"],
            "project": {"owner": "acme", "number": 5, "field": "Size"},
            "dry_run": True,
        }
    )
    streams = make_github_streams(settings, None)
    assert [s.name for s in streams] == ["github:acme/shop", "github:acme/app"]
    assert streams[0].client is streams[1].client  # one token, one budget
    assert streams[0].estimate(["pts 4"]) == 4.0
    assert streams[0].project is not None and streams[0].project.field == "Size"
    tracker = make_github_tracker(settings)
    assert tracker.dry_run and tracker.body_format == "markdown"
