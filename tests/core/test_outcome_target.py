"""The outcome target a done item named: the quoted span, whichever way the engine tells it."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.services.outcome_target import UNQUOTED, judged_items, outcome_target
from connectors.item import Item
from rules.engine import Engine
from tests.factories import make_item


def done(**overrides: Any) -> Item:
    return make_item(status_category="done", status="Done", **overrides)


def test_the_target_sentence_field_or_section_is_quoted() -> None:
    engine = Engine()
    sentence = done(text="Refunds pile up. Cut refund tickets by 30% this quarter. Thanks.")
    assert outcome_target(engine, sentence) == "Cut refund tickets by 30% this quarter."
    field = done(text="Nothing measurable here.", outcome="Churn below 2% by Q3")
    assert outcome_target(engine, field) == "Churn below 2% by Q3"
    section = done(
        text="Why\npeople wait.\nSuccess metrics\nMedian time to first reply halves.",
        sections={"why": "people wait.", "success metrics": "Median time to first reply halves."},
    )
    assert outcome_target(engine, section) == "Median time to first reply halves."


def test_no_target_no_scope_no_rule() -> None:
    assert outcome_target(Engine(), done(text="Add a blue button.")) is None
    bug = done(kind="bug", type="Bug", text="Cut refund tickets by 30%.")
    assert outcome_target(Engine(), bug) is None
    crash = done(
        title="Bug: crash when saving a draft",
        text="Steps to reproduce: open a draft, press save. Expected: saved. Actual: crash.",
    )
    assert outcome_target(Engine(), crash) is None
    assert not judged_items(Engine(), crash)  # a bug: not an output
    off = Engine({"missing-outcome": {"enabled": False}})
    assert outcome_target(off, done(text="Cut refund tickets by 30%.")) is None


def test_without_a_quote_a_passed_rule_still_counts_as_a_target() -> None:
    engine = Engine()
    item = done(text="Nothing measurable here.")
    rule = next(a for a in engine.rules if a.spec.id == "missing-outcome")
    passing = dataclasses.replace(rule.spec, func=lambda item, params: None)
    engine.rules[engine.rules.index(rule)] = dataclasses.replace(rule, spec=passing)
    assert outcome_target(engine, item) == UNQUOTED
