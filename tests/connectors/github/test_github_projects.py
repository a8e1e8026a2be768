"""Board estimates and dependencies: one bulk GraphQL query per page of issues at most."""

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
from connectors.github.details import PageDetails
from connectors.github.projects import Board
from connectors.github.sync import IssueStream
from tests.fakes.github import FakeGithub, at


def board_value(number: int) -> dict[str, Any] | None:
    """Issue n's item on board acme/5: a number, a size option, a text, or not on the board."""
    values: list[dict[str, Any] | None] = [
        {"number": float(number % 8)},
        {"name": "M"},
        {"name": "13 points"},
        None,
    ]
    return values[number % 4]


class FakeGraphql:
    def __init__(self, rsps: responses.RequestsMock) -> None:
        self.asked: list[list[str]] = []
        self.queries: list[str] = []
        rsps.add_callback(responses.POST, at("/graphql"), callback=self.answer)

    def answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        sent = json.loads(request.body or "{}")
        variables = sent["variables"]
        self.queries.append(sent["query"])
        assert variables.get("field", "Estimate") == "Estimate"
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
            node: dict[str, Any] = {"id": node_id}
            if "projectItems" in sent["query"]:
                node["projectItems"] = {"nodes": items}
            if "blockedBy" in sent["query"]:
                other = {"number": number + 1000, "repository": {"nameWithOwner": "acme/api"}}
                node["blockedBy"] = {"nodes": [other]}
                node["blocking"] = {"nodes": []}
            nodes.append(node)
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
    FakeGithub(rsps, issues)
    graphql = FakeGraphql(rsps)
    details = PageDetails(client, Board("acme", 5, "Estimate"))
    summary = run_stream(store, IssueStream(client, "acme/shop", details=details))
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
    FakeGithub(rsps, issues)
    graphql = FakeGraphql(rsps)
    stream = IssueStream(client, "acme/shop", details=PageDetails(client, Board("acme", 5)))
    pages = list(stream.fetch(None))
    assert graphql.asked == [] and [p.requests for p in pages] == [1]
    assert {item.estimate for item in pages[0].items} == {2.0}


def test_dependencies_are_read_only_for_issues_that_have_some(
    rsps: responses.RequestsMock, client: GithubClient, store: Store
) -> None:
    issues = make_issues(250)
    blocked = {7, 120, 121}
    for issue in issues:
        if issue["number"] in blocked:
            issue["issue_dependencies_summary"] = {
                "blocked_by": 1,
                "total_blocked_by": 1,
                "blocking": 0,
                "total_blocking": 0,
            }
    FakeGithub(rsps, issues)
    graphql = FakeGraphql(rsps)
    summary = run_stream(store, IssueStream(client, "acme/shop"))  # no board configured
    assert sorted(int(i.removeprefix("I_node")) for ids in graphql.asked for i in ids) == [
        7,
        120,
        121,
    ]
    assert len(graphql.asked) == 2  # pages 1 and 2 have blocked issues, page 3 none
    assert all("projectItems" not in q and "$field" not in q for q in graphql.queries)
    assert summary.requests == len(rsps.calls) <= 2 * math.ceil(250 / 100) + 2
    item = store.get_item("github", "acme/shop#120")
    assert item is not None and [(link.type, link.target) for link in item.links] == [
        ("is blocked by", "acme/api#1120")
    ]
    stored = store.get_item("github", "acme/shop#8")
    assert stored is not None and stored.links == ()


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
    board = streams[0].details.board
    assert board is not None and (board.owner, board.number, board.field) == ("acme", 5, "Size")
    tracker = make_github_tracker(settings)
    assert tracker.dry_run and tracker.body_format == "markdown"
