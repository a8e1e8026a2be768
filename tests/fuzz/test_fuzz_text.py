"""Text analysis on arbitrary input: a Text always comes back, and the format parsers beneath
analyze()'s last-resort catch never raise either (a swallowed crash would lose the sections)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from connectors.text import Text, analyze, heading_key, is_placeholder
from connectors.text.adf import adf_blocks
from connectors.text.markdown import markdown_blocks
from connectors.text.markup import wiki_blocks
from tests.fuzz.strategies import MANY, adf_trees, json_values, markup_text

FORMATS = ("adf", "wiki", "markdown", "plain")


def assert_text(result: Any) -> None:
    assert isinstance(result, Text)
    assert isinstance(result.plain, str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.sections.items())
    assert all(key == heading_key(key) and key for key in result.sections)


@MANY
@given(description=adf_trees | json_values, fmt=st.sampled_from(FORMATS))
def test_analyze_any_json(description: Any, fmt: str) -> None:
    assert_text(analyze(description, fmt))


@MANY
@given(description=markup_text, fmt=st.sampled_from(FORMATS))
def test_analyze_any_string(description: str, fmt: str) -> None:
    result = analyze(description, fmt)
    assert_text(result)
    if fmt == "plain":
        assert result.plain == "\n".join(description.split("\n")).strip() or result.plain


@MANY
@given(tree=adf_trees)
def test_adf_walker_never_raises(tree: Any) -> None:
    for kind, first, second in adf_blocks(tree):
        assert kind in ("h", "p", "l", "c") and isinstance(first, str) and isinstance(second, str)
    # The same document handed over as its JSON string reads the same.
    if isinstance(tree, dict):
        assert analyze(json.dumps(tree), "adf") == analyze(tree, "adf")


@MANY
@given(source=markup_text)
def test_markup_parsers_never_raise(source: str) -> None:
    for blocks in (wiki_blocks(source), markdown_blocks(source)):
        for kind, first, second in blocks:
            assert (
                kind in ("h", "p", "l", "c") and isinstance(first, str) and isinstance(second, str)
            )


@MANY
@given(value=json_values | markup_text)
def test_placeholder_check_total(value: Any) -> None:
    assert isinstance(is_placeholder(value), bool)


def test_cyclic_adf_terminates() -> None:
    node: dict[str, Any] = {"type": "paragraph", "content": [{"type": "text", "text": "loop"}]}
    node["content"].append(node)
    assert "loop" in analyze({"type": "doc", "content": [node]}, "adf").plain
