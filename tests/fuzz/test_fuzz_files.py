"""The file connector on arbitrary bytes and JSON: items, or FileFormatError naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from connectors.files import FileFormatError, load_file
from connectors.github.parse import items_from_issue_list
from connectors.item import Item
from tests.fuzz.strategies import HEAVY, MANY, broken, json_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JIRA_PAGE = json.loads((FIXTURES / "jira" / "search_v3_legacy_real.trimmed.json").read_text())
GITHUB_LIST = json.loads((FIXTURES / "github" / "rest_list_repo_issues.trimmed.json").read_text())
# Refinery's own JSON for three of the recorded GitHub issues (as dump_items writes it).
REFINERY_JSON = {
    "refinery": 1,
    "items": [item.to_dict() for item in items_from_issue_list(GITHUB_LIST[:3], None)],
}


def load(tmp_path: Path, data: bytes) -> list[Item] | None:
    """Load `data` from a file; None when the connector refused it cleanly."""
    path = tmp_path / "input.json"
    path.write_bytes(data)
    try:
        loaded = load_file(path)
    except FileFormatError as exc:
        assert str(path) in str(exc) and exc.problem
        return None
    assert all(isinstance(item, Item) for item in loaded.items)
    return loaded.items


@MANY
@given(data=st.binary(max_size=300))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    load(tmp_path, data)


@HEAVY
@given(data=json_values)
def test_any_json(tmp_path: Path, data: Any) -> None:
    load(tmp_path, json.dumps(data).encode())


@HEAVY
@given(document=broken(JIRA_PAGE))
def test_jira_page_with_one_field_broken(tmp_path: Path, document: Any) -> None:
    load(tmp_path, json.dumps(document).encode())


@HEAVY
@given(document=broken(GITHUB_LIST))
def test_github_list_with_one_field_broken(tmp_path: Path, document: Any) -> None:
    load(tmp_path, json.dumps(document).encode())


@HEAVY
@given(document=broken(REFINERY_JSON))
def test_refinery_json_with_one_field_broken(tmp_path: Path, document: Any) -> None:
    load(tmp_path, json.dumps(document).encode())


@MANY
@given(cut=st.integers(min_value=1, max_value=10_000))
def test_truncated_files(tmp_path: Path, cut: int) -> None:
    text = json.dumps(JIRA_PAGE).encode()
    assume(cut < len(text))
    assert load(tmp_path, text[:cut]) is None


@pytest.mark.parametrize("document", [JIRA_PAGE, GITHUB_LIST])
def test_unbroken_fixtures_load(tmp_path: Path, document: Any) -> None:
    assert load(tmp_path, json.dumps(document).encode())
