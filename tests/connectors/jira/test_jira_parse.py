"""Parsing Jira issue JSON of every recorded shape into items, and finding custom fields."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.item import Link, Person
from connectors.jira import FieldMap, from_field_list, from_names, items_from_search_response
from connectors.jira.fields import ambiguity_warning
from connectors.jira.parse import parse_time, to_item
from tests.fakes.jira import load

FIELDS = from_field_list(load("field_list_real.json"))
LEGACY = load("search_v3_legacy_real.trimmed.json")


def story() -> dict[str, Any]:
    return copy.deepcopy(LEGACY["issues"][1])


def test_field_list_finds_both_story_point_fields_sprint_rank_and_epic_link() -> None:
    assert FIELDS.story_points == ("customfield_10016", "customfield_10026")
    assert (FIELDS.sprint, FIELDS.rank, FIELDS.epic_link) == (
        "customfield_10020",
        "customfield_10019",
        "customfield_10014",
    )
    warning = ambiguity_warning(FIELDS, "https://x.atlassian.net")
    assert warning is not None and "jira.estimate_field" in warning
    assert "customfield_10026 (Story Points)" in warning
    assert "customfield_10016" in FIELDS.request_fields() and "*all" not in FIELDS.request_fields()


def test_configured_estimate_field_by_name_or_id_wins() -> None:
    names = {"customfield_10026": "Story Points", "customfield_10050": "Outcome metric"}
    mapped = FIELDS.configured("story points", "Outcome metric", names)
    assert mapped.story_points == ("customfield_10026",) and not mapped.ambiguous
    assert mapped.outcome == "customfield_10050"
    assert FIELDS.configured("customfield_9", None).story_points == ("customfield_9",)


def test_recorded_legacy_v3_page_parses_subtask_and_story() -> None:
    subtask, item = items_from_search_response(LEGACY, "https://pooja-nimbalkar.atlassian.net/")
    assert subtask.key == "TMSP-64" and subtask.kind == "subtask" and subtask.parent == "TMSP-63"
    assert subtask.type == "Sub-task" and subtask.description is None
    assert item.kind == "story" and item.status == "To Do" and item.status_category == "todo"
    assert item.url == "https://pooja-nimbalkar.atlassian.net/browse/TMSP-23"
    assert item.project == "TMSP" and item.description_format == "adf"
    assert isinstance(item.description, dict) and item.description["type"] == "doc"
    assert item.links == (Link("is cloned by", "KAN-14"),)  # an inward link, read from our side
    assert item.assignee == Person(
        "712020:ec35d582-12cc-492e-a1ca-5a5afc8a9b76",
        "Pooja Nimbalkar",
        "pooja.nimbalkar@enreap.com",
    )
    assert item.created == datetime(2024, 7, 26, 5, 32, 47, 331000, tzinfo=UTC)
    assert item.raw == {"id": "10131", "priority": "High"}  # small extras, not the payload


def test_search_jql_page_uses_names_map_when_present() -> None:
    page = load("search_jql_page1_of_3.jira-cli-testdata.json")
    page["issues"][1]["fields"]["customfield_10026"] = 3
    page["names"] = {"customfield_10026": "Story Points", "summary": "Summary"}
    bug, item = items_from_search_response(page, "https://x.atlassian.net")
    assert bug.kind == "bug" and bug.estimate is None
    assert item.estimate == 3.0 and item.labels == ("critical", "feature")
    # No statusCategory in this trimmed shape: the status name decides.
    assert (bug.status_category, item.status_category) == ("todo", "in_progress")
    assert item.reporter == Person("Person B", "Person B", None)


@pytest.mark.parametrize(
    "name", ["webhook_issue_created.json", "webhook_issue_updated_status.json"]
)
def test_webhook_issues_carry_v2_wiki_descriptions(name: str) -> None:
    item = to_item(load(name)["issue"], FIELDS)  # no site given: derived from `self`
    assert item.description_format == "wiki" and isinstance(item.description, str)
    assert item.url.startswith("https://") and item.url.endswith(f"/browse/{item.key}")
    assert item.rank is not None and item.rank.startswith("0|")


def test_abbreviated_comment_webhook_issue_still_parses() -> None:
    item = to_item(load("webhook_comment_created.json")["issue"], FIELDS)
    assert item.key == "SB-1" and item.kind == "story" and item.updated is None


def test_documented_issue_example_with_odd_shapes_does_not_break() -> None:
    item = to_item(load("issue_get_200.openapi-example.json"), FIELDS)
    assert item.updated is None  # the spec example has "updated": 1
    assert item.time_estimate == 600.0  # from timetracking.originalEstimateSeconds
    assert Link("depends on", "PR-3") in item.links


def test_first_non_null_story_point_field_wins_and_zero_counts() -> None:
    issue = story()
    issue["fields"]["customfield_10016"] = None
    issue["fields"]["customfield_10026"] = 0
    assert to_item(issue, FIELDS).estimate == 0.0
    issue["fields"]["customfield_10016"] = 8
    assert to_item(issue, FIELDS).estimate == 8.0
    assert to_item(issue, FieldMap()).estimate is None


@pytest.mark.parametrize(
    ("issuetype", "kind"),
    [
        ({"name": "Story"}, "story"),
        ({"name": "Task"}, "task"),
        ({"name": "Bug"}, "bug"),
        ({"name": "Epic"}, "epic"),
        ({"name": "Feature"}, "feature"),
        ({"name": "Subtask"}, "subtask"),
        ({"name": "Teilaufgabe", "subtask": True}, "subtask"),
        ({"name": "Spike"}, "other"),
    ],
)
def test_issue_types_map_to_kinds(issuetype: dict[str, Any], kind: str) -> None:
    issue = story()
    issue["fields"]["issuetype"] = issuetype
    assert to_item(issue, FIELDS).kind == kind


@pytest.mark.parametrize(
    ("category", "expected"), [("new", "todo"), ("indeterminate", "in_progress"), ("done", "done")]
)
def test_status_categories(category: str, expected: str) -> None:
    issue = story()
    issue["fields"]["status"] = {"name": "Whatever", "statusCategory": {"key": category}}
    assert to_item(issue, FIELDS).status_category == expected


def test_links_in_both_directions_use_the_right_wording() -> None:
    issue = story()
    kind = {"name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
    issue["fields"]["issuelinks"] = [
        {"type": kind, "outwardIssue": {"key": "PAY-2"}},
        {"type": kind, "inwardIssue": {"key": "PAY-3"}},
    ]
    assert to_item(issue, FIELDS).links == (Link("blocks", "PAY-2"), Link("is blocked by", "PAY-3"))


def test_sprint_cloud_objects_prefer_the_active_one() -> None:
    issue = story()
    issue["fields"]["customfield_10020"] = [
        {"id": 3, "name": "Sprint 3", "state": "active"},
        {"id": 4, "name": "Sprint 4", "state": "future"},
    ]
    assert to_item(issue, FIELDS).sprint == "Sprint 3"
    issue["fields"]["customfield_10020"] = [
        {"id": 1, "name": "Sprint 1", "state": "closed"},
        {"id": 2, "name": "Sprint 2", "state": "closed"},
    ]
    assert to_item(issue, FIELDS).sprint == "Sprint 2"


def test_sprint_old_data_center_strings() -> None:
    issue = story()
    issue["fields"]["customfield_10020"] = [
        "com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=7,rapidViewId=1,state=CLOSED,"
        "name=Team Sprint 7,startDate=2019-01-01T10:00:00.000Z,sequence=7]",
        "com.atlassian.greenhopper.service.sprint.Sprint@3c4d[id=8,rapidViewId=1,state=ACTIVE,"
        "name=Team Sprint 8,startDate=2019-01-15T10:00:00.000Z,sequence=8]",
    ]
    assert to_item(issue, FIELDS).sprint == "Team Sprint 8"


def test_data_center_users_and_epic_link() -> None:
    issue = story()
    issue["fields"]["assignee"] = {"name": "jdoe", "key": "JIRAUSER1", "displayName": "J. Doe"}
    issue["fields"]["customfield_10014"] = "PAY-1"
    item = to_item(issue, FIELDS)
    assert item.assignee == Person("jdoe", "J. Doe", None)
    assert item.parent == "PAY-1"


def test_outcome_field_reads_text_adf_and_options() -> None:
    fields = FieldMap(outcome="customfield_10050")
    issue = story()
    issue["fields"]["customfield_10050"] = "Raise conversion from 2.1% to 2.5%"
    assert to_item(issue, fields).outcome == "Raise conversion from 2.1% to 2.5%"
    issue["fields"]["customfield_10050"] = {"value": "Retention"}
    assert to_item(issue, fields).outcome == "Retention"
    issue["fields"]["customfield_10050"] = None
    assert to_item(issue, fields).outcome is None


def test_names_map_finds_fields_by_display_name() -> None:
    mapped = from_names(
        {
            "customfield_1": "Story point estimate",
            "customfield_2": "Sprint",
            "customfield_3": "Rank",
        }
    )
    assert mapped.story_points == ("customfield_1",)
    assert (mapped.sprint, mapped.rank) == ("customfield_2", "customfield_3")


def test_jira_timestamps() -> None:
    assert parse_time("2024-01-02T03:04:05.000+0000") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time("2024-07-26T16:22:24.349+0530") == datetime(
        2024, 7, 26, 10, 52, 24, 349000, tzinfo=UTC
    )
    assert parse_time(1) is None and parse_time("yesterday") is None


@pytest.mark.parametrize(
    ("labels", "points"),
    [
        (["size/M"], 3.0),
        (["backend", "size:L"], 5.0),
        (["Size:xs"], 1.0),
        (["sp:5"], 5.0),
        (["points/2.5"], 2.5),
        (["size/huge"], None),
        (["frontend"], None),
    ],
)
def test_size_labels_count_as_points_when_the_story_point_field_is_empty(
    labels: list[str], points: float | None
) -> None:
    issue = story()
    issue["fields"]["customfield_10016"] = None
    issue["fields"]["customfield_10026"] = None
    issue["fields"]["labels"] = labels
    assert to_item(issue, FIELDS).estimate == points


def test_story_point_field_wins_over_a_size_label() -> None:
    issue = story()
    issue["fields"]["customfield_10016"] = 8
    issue["fields"]["labels"] = ["size/S"]
    assert to_item(issue, FIELDS).estimate == 8.0
