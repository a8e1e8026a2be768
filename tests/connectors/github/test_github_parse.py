"""to_item and friends on recorded GitHub payloads."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import GithubConfig
from connectors.estimates import EstimateLabels
from connectors.github.parse import (
    DEFAULT_ESTIMATE_LABELS,
    DEFAULT_SIZE_POINTS,
    is_pull_request,
    items_from_issue_list,
    repo_of,
    to_item,
)
from tests.fakes.github import load


def typed(
    issue: dict[str, Any], name: str | None, labels: list[str] | None = None
) -> dict[str, Any]:
    issue = copy.deepcopy(issue)
    issue["type"] = {"name": name} if name else None
    issue["labels"] = [{"name": label} for label in labels or []]
    return issue


@pytest.fixture
def bug_issue() -> dict[str, Any]:
    issue: dict[str, Any] = load("rest_list_repo_issues_type_bug_2025.json")[0]
    return issue


def test_recorded_2025_issue_becomes_an_item(bug_issue: dict[str, Any]) -> None:
    item = to_item(bug_issue)
    assert item.source == "github"
    assert item.key == "PyGithub/PyGithub#3379"
    assert item.uid == "github:PyGithub/PyGithub#3379"
    assert item.url == "https://github.com/PyGithub/PyGithub/issues/3379"
    assert item.project == "PyGithub/PyGithub"
    assert (item.type, item.kind) == ("Bug", "bug")
    assert (item.status, item.status_category) == ("open", "todo")
    assert item.description == bug_issue["body"]
    assert item.description_format == "markdown"
    assert item.reporter is not None and item.reporter.id == "odedperezcodes"
    assert item.assignee is None
    assert item.created == datetime(2025, 9, 17, 11, 53, 11, tzinfo=UTC)
    assert item.updated == datetime(2025, 9, 18, 13, 44, 24, tzinfo=UTC)
    assert item.estimate is None and item.rank is None and item.parent is None
    assert item.raw["issue_dependencies_summary"]["blocked_by"] == 0
    assert "user" not in item.raw  # only the compact part of the payload is kept


def test_item_survives_the_store_round_trip(bug_issue: dict[str, Any]) -> None:
    from connectors.item import Item

    item = to_item(bug_issue)
    assert Item.from_dict(item.to_dict()) == item


def test_mixed_list_skips_pull_requests_and_derives_the_repo() -> None:
    data = load("rest_list_repo_issues.trimmed.json")
    assert [is_pull_request(issue) for issue in data] == [True, True, False, False, False]
    items = items_from_issue_list(data)
    assert [item.key for item in items] == [
        "PyGithub/PyGithub#3042",
        "PyGithub/PyGithub#3038",
        "PyGithub/PyGithub#3037",
    ]
    assert all(item.kind == "story" and item.type == "Issue" for item in items)


def test_explicit_repo_wins_over_the_payload() -> None:
    data = load("rest_list_repo_issues.trimmed.json")
    assert items_from_issue_list(data, "acme/shop")[0].key == "acme/shop#3042"


def test_webhook_issue_objects_parse_the_same_way() -> None:
    event = load("webhook_issues_edited_body.json")
    item = to_item(event["issue"])
    assert item.key == f"{event['repository']['full_name']}#{event['issue']['number']}"
    comment_on_pr = load("webhook_issue_comment_created_on_pull_request.json")
    assert is_pull_request(comment_on_pr["issue"])


def test_repo_from_an_enterprise_server_url() -> None:
    issue = {"repository_url": "https://ghe.example.com/api/v3/repos/team/app", "number": 1}
    assert repo_of(issue) == "team/app"
    assert repo_of({"html_url": "https://ghe.example.com/team/app/issues/1"}) == "team/app"


@pytest.mark.parametrize(
    ("type_name", "labels", "kind"),
    [
        ("Bug", [], "bug"),
        ("Task", [], "task"),
        ("Feature", [], "story"),
        (None, [], "story"),
        (None, ["bug"], "bug"),
        (None, ["Defect"], "bug"),
        ("Feature", ["bug"], "story"),  # the issue type is more deliberate than a label
    ],
)
def test_kind_from_type_then_labels(
    bug_issue: dict[str, Any], type_name: str | None, labels: list[str], kind: str
) -> None:
    assert to_item(typed(bug_issue, type_name, labels)).kind == kind


@pytest.mark.parametrize(
    ("state", "labels", "category"),
    [
        ("open", [], "todo"),
        ("open", ["status: in progress"], "in_progress"),
        ("open", ["In-Progress"], "in_progress"),
        ("closed", ["status: in progress"], "done"),
    ],
)
def test_status_category(
    bug_issue: dict[str, Any], state: str, labels: list[str], category: str
) -> None:
    issue = typed(bug_issue, "Bug", labels)
    issue["state"] = state
    assert to_item(issue).status_category == category


@pytest.mark.parametrize(
    ("labels", "points"),
    [
        (["estimate: 3"], 3.0),
        (["Estimate:5"], 5.0),
        (["points/8"], 8.0),
        (["sp:1.5"], 1.5),
        (["sp: 13"], 13.0),
        (["size: M"], 3.0),
        (["size: xl"], 8.0),
        (["size: huge"], None),
        (["estimate: soon"], None),
        (["bug", "0 points"], None),
        (["estimate: 0"], 0.0),  # zero is an estimate
        (["size: S", "estimate: 5"], 5.0),  # pattern order decides
    ],
)
def test_estimate_from_default_label_patterns(labels: list[str], points: float | None) -> None:
    assert EstimateLabels()(labels) == points


def test_custom_patterns_and_sizes(bug_issue: dict[str, Any]) -> None:
    estimate = EstimateLabels(["story points {n}", "t-shirt/{size}"], {"Small": 1, "Large": 8})
    assert estimate(["Story Points 2"]) == 2.0
    assert estimate(["t-shirt/large"]) == 8.0
    assert estimate(["estimate: 3"]) is None
    issue = typed(bug_issue, "Bug", ["t-shirt/Small"])
    assert to_item(issue, estimate_from_labels=estimate).estimate == 1.0


def test_defaults_match_the_config_defaults() -> None:
    config = GithubConfig()
    assert list(DEFAULT_ESTIMATE_LABELS) == config.estimate_labels
    assert config.size_points == DEFAULT_SIZE_POINTS


def test_parent_from_sub_issue_payload(bug_issue: dict[str, Any]) -> None:
    issue = dict(bug_issue, parent_issue_url="https://api.github.com/repos/acme/epics/issues/7")
    assert to_item(issue).parent == "acme/epics#7"


def test_issue_form_body_feeds_the_sections(bug_issue: dict[str, Any]) -> None:
    issue = dict(bug_issue, body="### Why\n\nCheckout is slow.\n\n### Outcome\n\n_No response_\n")
    item = to_item(issue)
    assert set(item.sections) >= {"why", "outcome"}  # content is connectors.text's business


def test_no_body_means_no_text(bug_issue: dict[str, Any]) -> None:
    item = to_item(dict(bug_issue, body=None))
    assert (item.description, item.text, item.sections) == (None, "", {})
