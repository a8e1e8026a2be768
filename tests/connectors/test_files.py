"""The file connector: shape detection, every saved-response fixture, and clear errors."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.report import evaluate
from connectors.files import (
    FileFormatError,
    detect,
    dump_items,
    load_file,
    load_items,
    load_many,
    site_url,
)
from connectors.item import Link, Person
from rules.engine import Engine
from tests.factories import make_item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo_data"
JIRA_LEGACY = FIXTURES / "jira" / "search_v3_legacy_real.trimmed.json"
JIRA_JQL_PAGE = FIXTURES / "jira" / "search_jql_page1_of_3.jira-cli-testdata.json"
JIRA_JQL_DOC = FIXTURES / "jira" / "search_jql_200.openapi-example.json"
GITHUB_LIST = FIXTURES / "github" / "rest_list_repo_issues.trimmed.json"
GITHUB_2025 = FIXTURES / "github" / "rest_list_repo_issues_type_bug_2025.json"


def read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), "utf-8")
    return path


# -- every recorded search page and issue list --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "shape", "keys"),
    [
        (JIRA_LEGACY, "jira", ["TMSP-64", "TMSP-23"]),
        (JIRA_JQL_PAGE, "jira", ["TEST-1", "TEST-2"]),
        (JIRA_JQL_DOC, "jira", ["ED-1"]),
        (GITHUB_LIST, "github", [f"PyGithub/PyGithub#{n}" for n in (3042, 3038, 3037)]),
        (GITHUB_2025, "github", [f"PyGithub/PyGithub#{n}" for n in (3379, 3373, 3372)]),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else None,
)
def test_every_fixture_loads_with_its_keys(path: Path, shape: str, keys: list[str]) -> None:
    loaded = load_file(path)
    assert loaded.shape == shape
    assert [item.key for item in loaded.items] == keys
    assert all(item.source == shape for item in loaded.items)


def test_legacy_jira_page_takes_site_url_from_self_links() -> None:
    subtask, story = load_items(JIRA_LEGACY)
    assert subtask.url == "https://pooja-nimbalkar.atlassian.net/browse/TMSP-64"
    assert (subtask.kind, subtask.parent, subtask.status_category) == ("subtask", "TMSP-63", "todo")
    assert story.kind == "story"
    assert story.description_format == "adf"
    assert story.links == (Link("is cloned by", "KAN-14"),)


def test_jql_page_without_self_links_has_no_url_but_loads() -> None:
    bug, story = load_items(JIRA_JQL_PAGE)
    assert (bug.kind, story.kind) == ("bug", "story")
    assert bug.url == ""
    assert story.labels == ("critical", "feature")


def test_github_list_skips_pull_requests_and_counts_them() -> None:
    loaded = load_file(GITHUB_LIST)
    assert loaded.skipped == 2
    assert all("/issues/" in item.url for item in loaded.items)


def test_github_2025_type_object_makes_a_bug() -> None:
    assert {item.kind for item in load_items(GITHUB_2025)} == {"bug"}


def test_list_of_jira_pages_reuses_names_from_the_first_page(tmp_path: Path) -> None:
    first = read(DEMO / "jira_search_page.json")
    second = copy.deepcopy(first)
    first["issues"], second["issues"] = first["issues"][:10], first["issues"][10:]
    first["isLast"], first["nextPageToken"] = False, "CAEaAggD"
    del second["names"]  # saved without expand=names
    items = load_items(write(tmp_path / "pages.json", [first, second]))
    assert len(items) == 25
    by_key = {item.key: item for item in items}
    late = next(i for i in second["issues"] if i["fields"]["customfield_10016"] is not None)
    assert by_key[late["key"]].estimate == late["fields"]["customfield_10016"]


def test_v2_wiki_page_from_data_center_keeps_the_context_path(tmp_path: Path) -> None:
    page = read(JIRA_LEGACY)
    for issue in page["issues"]:
        issue["self"] = f"https://jira.example.com/jira/rest/api/2/issue/{issue['id']}"
        issue["fields"]["description"] = "h2. Why\nMerchants lose sales because of declines."
    items = load_items(write(tmp_path / "v2.json", page))
    assert items[0].url == "https://jira.example.com/jira/browse/TMSP-64"
    assert items[1].description_format == "wiki"
    assert "declines" in items[1].text


def test_site_url_is_read_from_the_first_self_link() -> None:
    assert site_url([read(JIRA_LEGACY)]) == "https://pooja-nimbalkar.atlassian.net"
    assert site_url([read(JIRA_JQL_PAGE)]) == ""


def test_list_of_github_pages(tmp_path: Path) -> None:
    pages = [read(GITHUB_LIST), read(GITHUB_2025)]
    loaded = load_file(write(tmp_path / "pages.json", pages))
    assert loaded.shape == "github"
    assert len(loaded.items) == 6
    assert loaded.skipped == 2


def test_empty_github_page_is_no_items(tmp_path: Path) -> None:
    assert load_items(write(tmp_path / "empty.json", [])) == []


# -- Refinery's own JSON -------------------------------------------------------------------------


def test_refinery_json_round_trips(tmp_path: Path) -> None:
    items = [
        make_item(),
        make_item(
            source="github",
            key="acme/app#7",
            kind="bug",
            labels=("bug", "estimate: 3"),
            assignee=Person(id="octo", name="Octo Cat"),
            links=(Link("blocks", "acme/app#8"),),
            sections={"why": "because"},
        ),
    ]
    path = tmp_path / "items.json"
    dump_items(items, path)
    assert read(path)["refinery"] == 1
    assert load_items(path) == items


def test_existing_refinery_export_reloads_unchanged(tmp_path: Path) -> None:
    items = load_items(DEMO / "github_issues.json")
    dump_items(items, tmp_path / "out.json")
    assert load_items(tmp_path / "out.json") == items


# -- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "shape"),
    [
        ({"refinery": 1, "items": []}, "refinery"),
        ({"isLast": True, "issues": []}, "jira"),
        ({"startAt": 0, "maxResults": 50, "total": 0, "issues": []}, "jira"),
        ({"issues": [{"key": "A-1", "fields": {}}]}, "jira"),
        ([{"issues": [], "isLast": True}], "jira"),
        ([{"number": 1, "html_url": "https://github.com/o/r/issues/1"}], "github"),
        ([[{"number": 1, "repository_url": "https://api.github.com/repos/o/r"}]], "github"),
        ([], "github"),
        ({"issues": "nope"}, None),
        ({"key": "A-1", "fields": {}}, None),
        ([{"id": "customfield_10016", "name": "Story point estimate"}], None),
        ("text", None),
        (3, None),
    ],
)
def test_detect(data: Any, shape: str | None) -> None:
    assert detect(data) == shape


def test_demo_files_hold_both_shapes_and_forty_items() -> None:
    loaded = load_many(sorted(DEMO.glob("*.json")))
    assert {entry.shape for entry in loaded} == {"jira", "github"}
    items = [item for entry in loaded for item in entry.items]
    assert len(items) >= 40
    assert sum(entry.skipped for entry in loaded) == 2
    kinds = {item.kind for item in items}
    assert {"story", "task", "bug", "epic", "subtask"} <= kinds
    assert any(item.status_category == "done" for item in items)
    assert any(item.estimate is not None for item in items if item.source == "jira")
    assert any(item.estimate is not None for item in items if item.source == "github")
    assert any(item.sprint for item in items)


# -- broken and unknown files --------------------------------------------------------------------


def error_for(path: Path) -> str:
    with pytest.raises(FileFormatError) as caught:
        load_items(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "\n" not in message
    return message


def test_not_json(tmp_path: Path) -> None:
    message = error_for(write_text(tmp_path / "notes.json", "key,title\nPAY-1,Refunds\n"))
    assert "not valid JSON" in message
    assert "line 1" in message


def test_truncated_file(tmp_path: Path) -> None:
    text = JIRA_LEGACY.read_text("utf-8")
    message = error_for(write_text(tmp_path / "cut.json", text[: len(text) // 2]))
    assert "not valid JSON" in message
    assert "truncated" in message


def test_json_of_unknown_shape_lists_the_known_ones(tmp_path: Path) -> None:
    webhook = FIXTURES / "github" / "webhook_issues_opened.json"
    path = tmp_path / "hook.json"
    path.write_text(webhook.read_text("utf-8"), "utf-8")
    message = error_for(path)
    assert "unknown shape (a webhook payload)" in message
    for known in ("Jira search response", "GitHub issue list", "Refinery JSON"):
        assert known in message


def test_single_jira_issue_is_named(tmp_path: Path) -> None:
    issue = read(JIRA_LEGACY)["issues"][0]
    assert "a single Jira issue" in error_for(write(tmp_path / "one.json", issue))


def test_jira_issue_without_key(tmp_path: Path) -> None:
    page = read(JIRA_LEGACY)
    del page["issues"][1]["key"]
    assert "issue 2: has no 'key'" in error_for(write(tmp_path / "nokey.json", page))


def test_github_issue_without_title(tmp_path: Path) -> None:
    issues = read(GITHUB_2025)
    del issues[2]["title"]
    assert "issue 3: #3372 has no 'title'" in error_for(write(tmp_path / "gh.json", issues))


def test_refinery_json_with_a_bad_item(tmp_path: Path) -> None:
    item = make_item().to_dict()
    item["kind"] = "saga"
    document = {"refinery": 1, "items": [make_item().to_dict(), item]}
    message = error_for(write(tmp_path / "bad.json", document))
    assert f"item 2 ({item['key']}): unknown kind 'saga'" in message


def test_refinery_json_of_a_newer_version(tmp_path: Path) -> None:
    message = error_for(write(tmp_path / "v9.json", {"refinery": 9, "items": []}))
    assert "version 9 is not supported" in message


@pytest.mark.parametrize("content", ["", "  \n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    assert "empty file" in error_for(write_text(tmp_path / "empty.json", content))


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in error_for(tmp_path / "nowhere.json")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    assert "not UTF-8" in error_for(path)


def test_load_many_stops_at_the_first_broken_file(tmp_path: Path) -> None:
    broken = write_text(tmp_path / "broken.json", "{")
    with pytest.raises(FileFormatError, match=r"broken\.json"):
        load_many([JIRA_LEGACY, broken, GITHUB_LIST])


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


# -- any JSON at all -----------------------------------------------------------------------------

_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_jira_fields = st.fixed_dictionaries(
    {},
    optional={
        name: _values
        for name in (
            "summary",
            "issuetype",
            "status",
            "description",
            "labels",
            "assignee",
            "parent",
            "issuelinks",
            "project",
            "created",
            "customfield_10016",
            "customfield_10020",
        )
    },
)
_jira_page = st.fixed_dictionaries(
    {
        "issues": st.lists(
            st.fixed_dictionaries({"key": _values, "fields": _jira_fields}), max_size=3
        )
    },
    optional={"isLast": _values, "names": _values, "nextPageToken": _values},
)
_github_issue = st.fixed_dictionaries(
    {"number": _values, "html_url": _values, "title": _values, "state": _values},
    optional={name: _values for name in ("labels", "body", "user", "type", "pull_request")},
)
_documents = (
    _values
    | _jira_page
    | st.lists(_jira_page, max_size=2)
    | st.lists(_github_issue, max_size=3)
    | st.fixed_dictionaries({"refinery": st.just(1), "items": st.lists(_values, max_size=2)})
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_documents)
def test_any_json_gives_items_or_one_line_error(tmp_path: Path, document: Any) -> None:
    path = write(tmp_path / "any.json", document)
    try:
        items = load_items(path)
    except FileFormatError as exc:
        assert "\n" not in str(exc)
        assert str(exc).startswith(str(path))
        return
    evaluate(items, Engine())  # whatever loads can be evaluated
