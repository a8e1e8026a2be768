"""Engine: default scope, per-rule configuration, validation errors and evaluation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.engine import Engine, validate_rule_config
from rules.examples import example_item

# Fails all three builtin rules.
BARE: dict[str, Any] = {"title": "Add a blue button.", "description": "Add a blue button."}


def rule_ids(engine: Engine, **overrides: Any) -> set[str]:
    return {f.rule for f in engine.evaluate(example_item(**{**BARE, **overrides}))}


def test_default_engine_runs_the_three_builtin_rules() -> None:
    engine = Engine()
    assert set(engine.rule_ids) == {"missing-why", "missing-outcome", "missing-estimate"}
    findings = engine.evaluate(example_item(**BARE))
    assert {f.rule for f in findings} == set(engine.rule_ids)
    assert all(f.severity == "warning" and f.message and f.hint for f in findings)


def test_a_ready_item_has_no_findings() -> None:
    item = example_item(
        title="One-page checkout",
        description="Shoppers abandon checkout at the shipping step, so that is where we start."
        "\n\nOutcome: raise checkout conversion from 2.1% to 2.5%.",
        estimate=5.0,
    )
    assert Engine().evaluate(item) == []


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("story", {"missing-why", "missing-outcome", "missing-estimate"}),
        ("task", {"missing-estimate"}),
        ("epic", {"missing-why", "missing-outcome"}),
        ("feature", {"missing-why", "missing-outcome"}),
        ("bug", set()),
        ("subtask", set()),
    ],
)
def test_default_types(kind: str, expected: set[str]) -> None:
    assert rule_ids(Engine(), kind=kind) == expected


def test_done_items_are_skipped_by_default_and_can_be_included() -> None:
    assert rule_ids(Engine(), status_category="done") == set()
    assert rule_ids(Engine(), status_category="in_progress") != set()
    engine = Engine({"missing-estimate": {"status_categories": ["done"]}})
    assert rule_ids(engine, status_category="done") == {"missing-estimate"}


def test_types_match_kind_or_tracker_type_name() -> None:
    engine = Engine({"missing-estimate": {"types": ["Spike"]}})
    assert "missing-estimate" in rule_ids(engine, kind="other", type="Spike")
    assert "missing-estimate" not in rule_ids(engine, kind="story", type="Story")


def test_projects_labels_and_exclude_labels() -> None:
    engine = Engine({"missing-why": {"projects": ["PAY"]}})
    assert "missing-why" in rule_ids(engine, project="PAY")
    assert "missing-why" not in rule_ids(engine, project="OPS")

    engine = Engine({"missing-why": {"labels": ["Discovery"]}})
    assert "missing-why" in rule_ids(engine, labels=("discovery",))
    assert "missing-why" not in rule_ids(engine, labels=("other",))

    engine = Engine({"missing-outcome": {"exclude_labels": ["Tech-Debt"]}})
    assert "missing-outcome" not in rule_ids(engine, labels=("tech-debt",))
    assert "missing-outcome" in rule_ids(engine, labels=("ux",))


def test_severity_override_disabled_rule_and_params() -> None:
    engine = Engine(
        {
            "missing-why": {"severity": "error"},
            "missing-outcome": {"enabled": False},
            "missing-estimate": {"accept_time_estimates": True},
        }
    )
    assert "missing-outcome" not in engine.rule_ids
    findings = {f.rule: f for f in engine.evaluate(example_item(**BARE, time_estimate=3600.0))}
    assert set(findings) == {"missing-why"}
    assert findings["missing-why"].severity == "error"


def test_in_scope() -> None:
    engine = Engine()
    assert engine.in_scope(example_item(kind="story"))
    assert not engine.in_scope(example_item(kind="bug"))
    assert not engine.in_scope(example_item(status_category="done"))


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"missing-whyy": {}}, "unknown rule 'rules.missing-whyy'"),
        ({"missing-why": {"threshold": 3}}, "unknown key 'rules.missing-why.threshold'"),
        ({"missing-why": {"enabled": "yes"}}, "'rules.missing-why.enabled' must be true or false"),
        ({"missing-why": {"severity": "fatal"}}, "'rules.missing-why.severity' must be one of"),
        (
            {"missing-why": {"types": "story"}},
            "'rules.missing-why.types' must be a list of strings",
        ),
        ({"missing-why": {"status_categories": ["open"]}}, "may hold only todo, in_progress, done"),
        (
            {"missing-estimate": {"accept_time_estimates": "true"}},
            "'rules.missing-estimate.accept_time_estimates' must be a bool",
        ),
        (
            {"missing-estimate": {"label_patterns": "size/{size}"}},
            "'rules.missing-estimate.label_patterns' must be a list",
        ),
        ({"missing-why": "off"}, "'rules.missing-why' must be a table"),
    ],
)
def test_config_errors(config: dict[str, Any], fragment: str) -> None:
    problems = validate_rule_config(config)
    assert len(problems) == 1 and fragment in problems[0]
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Engine(config)


def test_unknown_rule_message_lists_known_rules() -> None:
    [problem] = validate_rule_config({"missing-whyy": {}})
    assert "missing-estimate, missing-outcome, missing-why" in problem


def test_valid_config_has_no_problems() -> None:
    config: dict[str, dict[str, Any]] = {
        "missing-why": {"severity": "info", "types": ["story"], "projects": ["PAY"]},
        "missing-estimate": {"label_patterns": ["pts:{n}"], "accept_time_estimates": True},
    }
    assert validate_rule_config(config) == []


texts = (
    st.none()
    | st.text(max_size=200)
    | st.sampled_from(
        [
            "so that <benefit>",
            "cut tickets by 30%",
            "by 2026-01-01",
            "p95 < 200 ms",
            "_No response_",
        ]
    )
)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(max_size=80),
    text=texts,
    sections=st.dictionaries(st.text(max_size=20), texts, max_size=4),
    labels=st.lists(st.text(max_size=20), max_size=4),
    estimate=st.none() | st.floats(allow_nan=True),
    outcome=texts,
)
def test_evaluate_never_raises(
    title: str,
    text: str | None,
    sections: dict[str, Any],
    labels: list[str],
    estimate: float | None,
    outcome: str | None,
) -> None:
    item = example_item(
        title=title,
        text=text,
        sections=sections,
        labels=tuple(labels),
        estimate=estimate,
        outcome=outcome,
    )
    for finding in Engine().evaluate(item):
        assert finding.message and finding.hint
