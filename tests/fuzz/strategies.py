"""Hypothesis strategies shared by the fuzz tests: JSON-ish values, ADF trees, markup text."""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# 1,000 cases per property by default (400 where one case is a whole document or an HTTP
# round trip), so the directory stays about a minute; REFINERY_FUZZ_EXAMPLES scales them all
# (bench/run_all.sh runs 5,000). Derandomized: CI sees the same cases every run.
EXAMPLES = int(os.environ.get("REFINERY_FUZZ_EXAMPLES", "1000"))
HEAVY_EXAMPLES = max(1, EXAMPLES * 2 // 5)
_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
MANY = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=_QUIET
)
HEAVY = settings(
    max_examples=HEAVY_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=_QUIET
)

# Characters that mean something to Markdown, wiki markup or our section parser.
MARKUP = "#*_-+=>|[]{}()!`~:\\/.h1234567890 \t\nabcWhyOutcome<>&\"'"
ADF_TYPES = (
    "doc",
    "paragraph",
    "heading",
    "text",
    "bulletList",
    "orderedList",
    "listItem",
    "blockquote",
    "panel",
    "expand",
    "nestedExpand",
    "table",
    "tableRow",
    "tableCell",
    "tableHeader",
    "codeBlock",
    "hardBreak",
    "mention",
    "emoji",
    "inlineCard",
    "status",
    "date",
    "placeholder",
    "media",
    "mediaSingle",
    "taskList",
    "taskItem",
    "rule",
    "unknownNode",
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)

json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)

markup_text = st.text(alphabet=MARKUP, max_size=160) | st.text(max_size=60)


# Leaves are drawn fresh (never st.just of a dict): a shared object would look like a cycle to
# the ADF walker, which real JSON can never contain.
def _adf_node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    attrs = st.dictionaries(
        st.sampled_from(["level", "title", "text", "id", "url", "timestamp", "shortName"]),
        scalars,
        max_size=3,
    )
    marks = st.lists(st.fixed_dictionaries({"type": st.sampled_from(["strong", "em", "code"])}))
    return st.fixed_dictionaries(
        {"type": st.sampled_from(ADF_TYPES)},
        optional={
            "content": st.lists(children, max_size=5) | scalars,
            "text": markup_text | scalars,
            "attrs": attrs | scalars,
            "marks": marks | scalars,
        },
    )


adf_trees: st.SearchStrategy[Any] = st.recursive(
    st.fixed_dictionaries({"type": st.just("text"), "text": markup_text}) | scalars,
    _adf_node,
    max_leaves=15,
)


def node_paths(document: Any, limit_depth: int = 8) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) to a node of `document`, so a test can break any one."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        path, node = stack.pop()
        if path:
            found.append(path)
        if len(path) >= limit_depth:
            continue
        if isinstance(node, dict):
            stack.extend(((*path, key), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, index), value) for index, value in enumerate(node[:3]))
    return sorted(found, key=repr)


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    """`document` with the node at `path` replaced by `value`; only the containers on the
    path are copied (cheap), so the original is never changed."""
    if not path:
        return value
    head, *rest = path
    copied = copy.copy(document)
    copied[head] = replaced(document[head], tuple(rest), value)
    return copied


def broken(document: Any) -> st.SearchStrategy[Any]:
    """`document` with one node (any depth) replaced by an arbitrary JSON value."""
    return st.builds(
        replaced, st.just(document), st.sampled_from(node_paths(document)), json_values
    )
