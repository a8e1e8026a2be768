"""What people have: Jira CSV exports, `gh issue list --json` output, stdin, byte-order marks."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.demo_cmd import demo_paths
from connectors.files import FileFormatError, load_file
from connectors.text import analyze
from tests.cli.conftest import Invoke

JIRA_PAGE, GITHUB_LIST = demo_paths()


def findings(invoke: Invoke, *args: str | Path, stdin: str | None = None) -> set[tuple[str, ...]]:
    result = invoke("check", "--format", "json", *args, input=stdin)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return {(f["key"], f["rule"], f["message"]) for f in document["findings"]} | {
        ("items", str(document["items"]))
    }


# -- Jira CSV ------------------------------------------------------------------------------


def _plain(description: Any) -> str:
    """A v3 description as the text a CSV export (and a v2 page) holds for it."""
    return analyze(description, "adf").plain if isinstance(description, dict) else ""


def jira_v2_page_and_csv(tmp_path: Path) -> tuple[Path, Path]:
    """The demo's Jira issues twice: as a saved search page, and as Jira's CSV export."""
    page = json.loads(JIRA_PAGE.read_text())
    points_field = next(i for i, n in page["names"].items() if n == "Story point estimate")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key",
        "Assignee", "Assignee Id", "Reporter", "Reporter Id", "Created", "Updated",
        "Labels", "Labels", "Labels", "Description", "Original Estimate",
        "Custom field (Story point estimate)", "Status Category",
    ]  # fmt: skip
    writer.writerow(header)
    categories = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
    for issue in page["issues"]:
        fields = issue["fields"]
        fields["description"] = _plain(fields.get("description")) or None
        labels = (fields.get("labels") or []) + ["", "", ""]
        assignee, reporter = fields.get("assignee") or {}, fields.get("reporter") or {}
        points = fields.get(points_field)
        writer.writerow(
            [
                fields["summary"], issue["key"], issue["id"], fields["issuetype"]["name"],
                fields["status"]["name"], fields["project"]["key"],
                assignee.get("displayName", ""), assignee.get("accountId", ""),
                reporter.get("displayName", ""), reporter.get("accountId", ""),
                "20/Oct/26 8:45 AM", "25/Nov/26 12:05 PM", *labels[:3],
                fields["description"] or "", fields.get("timeoriginalestimate") or "",
                "" if points is None else points,
                categories[fields["status"]["statusCategory"]["key"]],
            ]
        )  # fmt: skip
    json_path, csv_path = tmp_path / "jira.json", tmp_path / "jira.csv"
    json_path.write_text(json.dumps(page))
    csv_path.write_text(buffer.getvalue())
    return json_path, csv_path


def test_jira_csv_judges_the_same_items_as_the_json_export(invoke: Invoke, tmp_path: Path) -> None:
    json_path, csv_path = jira_v2_page_and_csv(tmp_path)
    from_json = findings(invoke, json_path)
    assert len(from_json) > 5  # the demo backlog has findings to compare
    assert findings(invoke, csv_path) == from_json
    assert {item.key for item in load_file(csv_path).items} == {
        item.key for item in load_file(json_path).items
    }


def test_csv_story_points_and_repeated_labels(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Summary,Issue key,Issue Type,Status,Labels,Labels,Custom field (Story Points),Sprint\n"
        "Saved carts,PAY-1,Story,To Do,cards,mobile,5,PAY Sprint 4\n"
    )
    (item,) = load_file(path).items
    assert (item.key, item.estimate, item.labels, item.sprint) == (
        "PAY-1", 5.0, ("cards", "mobile"), "PAY Sprint 4"
    )  # fmt: skip
    assert item.status_category == "todo" and item.kind == "story"


def test_a_csv_that_is_not_a_jira_export(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,email\nSam,sam@example.com\n")
    with pytest.raises(FileFormatError, match=r"people\.csv: not a Jira CSV export.*Issue key"):
        load_file(path)


# -- GitHub CLI ----------------------------------------------------------------------------


def gh_output(rest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `gh issue list --json number,title,body,labels,state,url,author,...` prints for
    the same issues: gh's field names, capitalised state, no pull requests."""
    return [
        {
            "assignees": [{"id": "x", "login": a["login"], "name": ""} for a in i["assignees"]],
            "author": {"id": "x", "is_bot": False, "login": i["user"]["login"], "name": ""},
            "body": i["body"] or "",
            "createdAt": i["created_at"],
            "labels": [
                {"id": "x", "name": label["name"], "description": "", "color": "ededed"}
                for label in i["labels"]
            ],
            "number": i["number"],
            "state": i["state"].upper(),
            "title": i["title"],
            "updatedAt": i["updated_at"],
            "url": i["html_url"],
        }
        for i in rest
        if "pull_request" not in i
    ]


def test_gh_output_judges_the_same_items_as_the_rest_list(invoke: Invoke, tmp_path: Path) -> None:
    # `gh issue list --json` has no issue-type field: compare with the REST list without it.
    issues = json.loads(GITHUB_LIST.read_text())
    for issue in issues:
        issue.pop("type", None)
    rest = tmp_path / "rest.json"
    rest.write_text(json.dumps(issues))
    gh = tmp_path / "gh.json"
    gh.write_text(json.dumps(gh_output(issues), indent=2))
    from_rest = findings(invoke, rest)
    assert len(from_rest) > 5
    assert findings(invoke, gh) == from_rest
    assert load_file(gh).shape == "github"


def test_gh_output_without_url_names_the_fields_to_ask_for(tmp_path: Path) -> None:
    path = tmp_path / "gh.json"
    path.write_text('[{"number": 1, "title": "Dark mode"}]')
    with pytest.raises(FileFormatError, match=r"without state, url: run gh issue list --json"):
        load_file(path)


# -- standard input, byte-order marks, id-only pages ----------------------------------------


def test_standard_input(invoke: Invoke) -> None:
    assert findings(invoke, "-", stdin=GITHUB_LIST.read_text()) == findings(invoke, GITHUB_LIST)


def test_broken_standard_input_is_named(invoke: Invoke) -> None:
    result = invoke("check", "-", input="{not json")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: standard input: not valid JSON")


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE], ids=["utf-8", "utf-16"])
def test_files_with_a_byte_order_mark(invoke: Invoke, tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "saved.json"
    encoding = "utf-8" if bom == codecs.BOM_UTF8 else "utf-16-le"
    path.write_bytes(bom + JIRA_PAGE.read_text().encode(encoding))
    assert findings(invoke, path) == findings(invoke, JIRA_PAGE)


def test_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Issue key,Summary,Issue Type\nPAY-9,Dark mode,Story\n")
    assert [item.key for item in load_file(path).items] == ["PAY-9"]


def test_id_only_search_page_says_what_to_save(tmp_path: Path) -> None:
    # What /rest/api/3/search/jql answers when no `fields` parameter is sent.
    path = tmp_path / "ids.json"
    path.write_text('{"issues": [{"id": "10068"}, {"id": "10067"}], "isLast": true}')
    with pytest.raises(FileFormatError) as caught:
        load_file(path)
    message = str(caught.value)
    assert "issue ids only" in message and "/rest/api/3/search/jql" in message
    assert "fields=summary,description" in message and "unknown shape" not in message


def test_hand_written_refinery_json_is_judged_by_its_description(tmp_path: Path) -> None:
    """The README's minimal Refinery JSON: source, key, title, description (Markdown)."""
    path = tmp_path / "ideas.json"
    item = {
        "source": "file",
        "key": "IDEA-1",
        "title": "Saved carts",
        "description": "Carts vanish on logout.\n\n## Why\nShoppers on two devices lose orders.",
    }
    path.write_text(json.dumps({"refinery": 1, "items": [item]}))
    (loaded,) = load_file(path).items
    assert loaded.sections.get("why") == "Shoppers on two devices lose orders."
    assert (loaded.kind, loaded.status_category, loaded.description_format) == (
        "story", "todo", "markdown"
    )  # fmt: skip
