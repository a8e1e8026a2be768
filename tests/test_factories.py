"""The shared factory: other tests rely on make_item() being ready unless told otherwise."""

from __future__ import annotations

from rules.engine import Engine
from tests.factories import make_item


def test_make_item_passes_every_builtin_rule() -> None:
    assert Engine().evaluate(make_item()) == []


def test_make_item_overrides_and_unique_keys() -> None:
    first, second = make_item(), make_item(estimate=None, key="PAY-999")
    assert first.key != second.key
    assert [f.rule for f in Engine().evaluate(second)] == ["missing-estimate"]


def test_description_override_fills_text() -> None:
    item = make_item(description="Add a dark mode toggle.")
    assert item.text == "Add a dark mode toggle."
    assert {f.rule for f in Engine().evaluate(item)} == {"missing-why", "missing-outcome"}
