"""The outcome target an item named: the quoted evidence of the `missing-outcome` rule.

One small adapter, so the follow-up does not care how the rules engine reports evidence:
with `Engine.explain(item)` the passed verdict's `evidence` is the target; without it the
span is found here with the rule's own text helpers.
"""

from __future__ import annotations

import dataclasses
import re

from connectors.item import Item
from rules.builtin.missing_outcome import has_target, is_outcome_heading
from rules.engine import Engine
from rules.text import meaningful, searchable

RULE = "missing-outcome"
MAX_TARGET = 300
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def judged_items(engine: Engine, item: Item) -> bool:
    """True when the outcome rule looks at this kind of item (its status aside)."""
    probe = _as_open(item)
    return any(active.spec.id == RULE and active.scope.covers(probe) for active in engine.rules)


def outcome_target(engine: Engine, item: Item) -> str | None:
    """The target `item` named ("cut refund tickets by 30%"), or None when it named none.

    Rules skip done items, and a follow-up looks at items just done, so the item is judged as
    if it were still open: its words, not its status, say what it promised.
    """
    if not judged_items(engine, item):
        return None
    probe = _as_open(item)
    explain = getattr(engine, "explain", None)
    if explain is not None:
        for verdict in explain(probe):
            if verdict.rule == RULE:
                evidence = str(verdict.evidence or "").strip() if verdict.passed else ""
                return _clip(evidence) or None
        return None
    if any(finding.rule == RULE for finding in engine.evaluate(probe)):
        return None
    return _clip(_quoted_span(item)) or None


def _as_open(item: Item) -> Item:
    if item.status_category != "done":
        return item
    return dataclasses.replace(item, status_category="in_progress")


def _quoted_span(item: Item) -> str:
    """What satisfied the rule: the outcome field, an outcome section, or the target sentence."""
    field = meaningful(item.outcome)
    if field:
        return field
    for heading, content in item.sections.items():
        if is_outcome_heading(heading) and meaningful(content):
            return meaningful(content)
    for part in (item.title, *_SENTENCES.split(item.text or "")):
        if part and has_target(searchable(part)):
            return part.strip()
    return item.title


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TARGET else text[: MAX_TARGET - 1].rstrip() + "…"
