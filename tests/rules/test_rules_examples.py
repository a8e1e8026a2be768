"""Every registered rule's own good examples pass and bad examples fail (sopel-style)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from rules.engine import REGISTRY, Problem, RuleSpec, load_builtin_rules
from rules.examples import example_item

load_builtin_rules()
CASES = [
    pytest.param(spec, example, expected, id=f"{spec.id}-{expected}-{n}")
    for spec in REGISTRY.values()
    for expected, examples in (("good", spec.good), ("bad", spec.bad))
    for n, example in enumerate(examples)
]


def test_builtin_rules_are_registered_with_examples() -> None:
    assert {"missing-why", "missing-outcome", "missing-estimate"} <= set(REGISTRY)
    for spec in REGISTRY.values():
        assert spec.good and spec.bad, spec.id
        assert spec.doc and spec.doc != spec.summary, f"{spec.id} needs a docstring"


@pytest.mark.parametrize(("spec", "example", "expected"), CASES)
def test_rule_examples(spec: RuleSpec, example: Mapping[str, Any], expected: str) -> None:
    item = example_item(**example)
    problem = spec.func(item, spec.params)
    if expected == "good":
        assert not isinstance(problem, Problem), (
            f"{spec.id} flagged its own good example: {problem}"
        )
    else:
        assert isinstance(problem, Problem), f"{spec.id} passed its own bad example {example}"
        assert problem.message and problem.hint and "\n" not in problem.hint


def test_example_item_defaults_and_analysis() -> None:
    item = example_item(description="## Why\n\nBecause.", description_format="markdown")
    assert (item.source, item.key, item.kind, item.status_category) == (
        "file",
        "EX-1",
        "story",
        "todo",
    )
    assert item.text == "Why\nBecause."
    assert item.sections == {"why": "Because."}
    kept = example_item(description="## Why\n\nx", text="given", sections={"a": "b"})
    assert (kept.text, kept.sections) == ("given", {"a": "b"})
    assert example_item(labels=["a", "b"]).labels == ("a", "b")
