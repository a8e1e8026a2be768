"""Streaming reads: the same items, in the same order, and the same errors as load_file."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors import filestream
from connectors.files import FileFormatError, dump_items, load_file
from connectors.filestream import stream_file
from tests.factories import make_item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JIRA_LEGACY = FIXTURES / "jira" / "search_v3_legacy_real.trimmed.json"
JIRA_JQL_PAGE = FIXTURES / "jira" / "search_jql_page1_of_3.jira-cli-testdata.json"
GITHUB_2025 = FIXTURES / "github" / "rest_list_repo_issues_type_bug_2025.json"
GITHUB_LIST = FIXTURES / "github" / "rest_list_repo_issues.trimmed.json"


@pytest.fixture(autouse=True)
def stream_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the fast path for small test files too (it is kept for files of 1 MB and more)."""
    monkeypatch.setattr(filestream, "MIN_SIZE", 0)


def read(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), "utf-8")
    return path


def jira_issues(count: int) -> list[dict[str, Any]]:
    """`count` copies of a recorded issue with distinct keys and summaries."""
    template = read(JIRA_LEGACY)["issues"][1]
    issues = []
    for n in range(count):
        issue = copy.deepcopy(template)
        issue["key"], issue["id"] = f"TMSP-{1000 + n}", str(50_000 + n)
        issue["fields"]["summary"] = f"Issue {n}"
        issues.append(issue)
    return issues


def github_issues(count: int) -> list[dict[str, Any]]:
    template = read(GITHUB_2025)[0]
    pull = read(GITHUB_LIST)[0]  # a pull request (skipped by both readers)
    issues = []
    for n in range(count):
        issue = copy.deepcopy(pull if n % 7 == 3 else template)
        issue["number"], issue["title"] = 5000 + n, f"Issue {n}"
        issues.append(issue)
    return issues


def chunks(path: Path) -> Iterator[dict[str, Any]]:
    for chunk in stream_file(path):
        for item in chunk.items:
            yield item.to_dict()


def assert_same(path: Path) -> None:
    expected = load_file(path)
    streamed = list(stream_file(path))
    assert [item.to_dict() for chunk in streamed for item in chunk.items] == [
        item.to_dict() for item in expected.items
    ]
    assert {chunk.shape for chunk in streamed} == {expected.shape}
    assert sum(chunk.skipped for chunk in streamed) == expected.skipped


@pytest.mark.parametrize("fixture", [JIRA_LEGACY, JIRA_JQL_PAGE, GITHUB_2025, GITHUB_LIST])
def test_recorded_files_stream_to_the_same_items(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name
    path.write_text(fixture.read_text("utf-8"), "utf-8")
    assert_same(path)


def test_a_list_of_jira_pages_streams_page_by_page(tmp_path: Path) -> None:
    issues = jira_issues(250)
    pages = [{"issues": issues[n : n + 100], "isLast": n >= 200} for n in range(0, 250, 100)]
    pages[1]["names"] = {"customfield_10016": "Story point estimate"}  # names on a later page
    path = write(tmp_path / "pages.json", pages)
    assert_same(path)
    assert [len(chunk.items) for chunk in stream_file(path)] == [100, 100, 50]


def test_one_huge_jira_page_streams_in_chunks(tmp_path: Path) -> None:
    page = {"startAt": 0, "maxResults": 250, "total": 250, "issues": jira_issues(250)}
    path = write(tmp_path / "page.json", page)
    assert_same(path)
    assert [len(chunk.items) for chunk in stream_file(path)] == [100, 100, 50]


def test_github_lists_and_pages_stream(tmp_path: Path) -> None:
    issues = github_issues(230)
    assert_same(write(tmp_path / "list.json", issues))
    assert_same(write(tmp_path / "pages.json", [issues[:100], issues[100:]]))


def test_refinery_json_streams(tmp_path: Path) -> None:
    items = [make_item(key=f"PAY-{n}", title=f"Item {n}") for n in range(230)]
    path = tmp_path / "items.json"
    dump_items(items, path)
    assert_same(path)


def error(reader: Any, path: Path) -> str:
    with pytest.raises(FileFormatError) as caught:
        for _ in reader(path):
            pass
    return str(caught.value)


def broken_files(tmp_path: Path) -> list[Path]:
    issues = jira_issues(150)
    no_key = copy.deepcopy(issues)
    del no_key[120]["key"]
    gh = github_issues(150)
    del gh[130]["title"]
    bad_item = make_item(key="PAY-2").to_dict()
    bad_item["kind"] = "saga"
    refinery = {"refinery": 1, "items": [make_item(key="PAY-1").to_dict(), bad_item]}
    text = JIRA_LEGACY.read_text("utf-8")
    mixed = [{"issues": issues[:10], "isLast": False}, {"unrelated": True}]
    paths = {
        "no_key_page.json": json.dumps({"issues": no_key, "total": 150}),
        "no_key_pages.json": json.dumps([{"issues": no_key[:100]}, {"issues": no_key[100:]}]),
        "gh_no_title.json": json.dumps(gh),
        "refinery_bad.json": json.dumps(refinery),
        "refinery_v9.json": json.dumps({"refinery": 9, "items": []}),
        "mixed.json": json.dumps(mixed),
        "truncated.json": text[: len(text) // 2],
        "not_json.json": "key,title\nPAY-1,Refunds\n",
        "single_issue.json": json.dumps(issues[0]),
        "empty.json": "  \n",
        "nan.json": json.dumps([{"issues": issues[:3]}]).replace('"id": "50000"', '"id": NaN'),
    }
    written = [tmp_path / name for name in paths]
    for path in written:
        path.write_text(paths[path.name], "utf-8")
    latin = tmp_path / "latin1.json"
    latin.write_bytes(json.dumps(gh[:3]).replace("Issue 1", "Issu\xe9").encode("latin-1"))
    return [*written, latin]


def test_broken_files_are_refused_in_the_same_words(tmp_path: Path) -> None:
    for path in broken_files(tmp_path):
        try:
            expected = load_file(path)
        except FileFormatError as exc:
            assert error(stream_file, path) == str(exc), path.name
        else:  # json accepts NaN where msgspec does not: the ordinary reader takes over
            assert path.name == "nan.json"
            assert [i.to_dict() for i in expected.items] == list(chunks(path))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file" in error(stream_file, tmp_path / "nowhere.json")
    assert "is a directory" in error(stream_file, tmp_path)
