"""missing-estimate: story points, size labels, time estimates and custom label patterns."""

from __future__ import annotations

from typing import Any

import pytest

from rules.builtin.missing_estimate import DEFAULT_LABEL_PATTERNS, label_matcher, missing_estimate
from rules.engine import Problem
from rules.examples import example_item

DEFAULTS: dict[str, Any] = {
    "accept_time_estimates": False,
    "label_patterns": DEFAULT_LABEL_PATTERNS,
}


@pytest.mark.parametrize("points", [0.0, 0.5, 3.0, 13.0])
def test_story_points_pass_including_zero(points: float) -> None:
    assert missing_estimate(example_item(estimate=points), DEFAULTS) is None


@pytest.mark.parametrize(
    "label",
    [
        "estimate: 3",
        "Estimate:5",
        "points/8",
        "POINTS: 2",
        "sp:1",
        "sp: 0.5",
        "size: XL",
        "size/m",
        "Size/XS",
        " estimate: 13 ",
    ],
)
def test_estimate_labels_pass(label: str) -> None:
    assert missing_estimate(example_item(labels=("backend", label)), DEFAULTS) is None


@pytest.mark.parametrize(
    "label",
    ["estimate", "estimate: ?", "points/", "size/huge", "size/XXL", "sp:three", "story points"],
)
def test_other_labels_fail(label: str) -> None:
    assert missing_estimate(example_item(labels=(label,)), DEFAULTS) is not None


def test_time_estimate_only_with_the_param() -> None:
    item = example_item(time_estimate=7200.0)
    problem = missing_estimate(item, DEFAULTS)
    assert isinstance(problem, Problem)
    assert "2 h" in problem.message and "accept_time_estimates" in problem.hint
    assert missing_estimate(item, {**DEFAULTS, "accept_time_estimates": True}) is None


def test_hint_depends_on_source() -> None:
    jira = missing_estimate(example_item(source="jira", key="PAY-1"), DEFAULTS)
    github = missing_estimate(example_item(source="github", key="o/r#1"), DEFAULTS)
    assert isinstance(jira, Problem) and "Story Points" in jira.hint and "0 is fine" in jira.hint
    assert "`estimate:3`" in jira.hint  # a Jira label cannot hold a space
    assert (
        isinstance(github, Problem)
        and "estimate: 3" in github.hint
        and "Story Points" not in github.hint
    )
    only_spaced = {**DEFAULTS, "label_patterns": ["estimate: {n}"]}
    jira_spaced = missing_estimate(example_item(source="jira", key="PAY-1"), only_spaced)
    assert isinstance(jira_spaced, Problem) and "label" not in jira_spaced.hint


def test_custom_patterns_replace_the_defaults() -> None:
    params = {**DEFAULTS, "label_patterns": ["t-shirt:{size}", "{n}pts"]}
    assert missing_estimate(example_item(labels=("T-Shirt:L",)), params) is None
    assert missing_estimate(example_item(labels=("5pts",)), params) is None
    assert missing_estimate(example_item(labels=("estimate: 3",)), params) is not None


def test_patterns_are_compiled_once() -> None:
    label_matcher.cache_clear()
    for _ in range(5):
        missing_estimate(example_item(labels=("x",)), DEFAULTS)
    info = label_matcher.cache_info()
    assert info.misses == 1 and info.hits == 4


def test_regex_characters_in_patterns_are_literal() -> None:
    params = {**DEFAULTS, "label_patterns": ["est(.*)"]}
    assert missing_estimate(example_item(labels=("estimate",)), params) is not None
    assert missing_estimate(example_item(labels=("est(.*)",)), params) is None
