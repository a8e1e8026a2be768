"""The outcome target an item named: the quoted evidence of the `missing-outcome` rule."""

from __future__ import annotations

import dataclasses

from connectors.item import Item
from connectors.text import meaningful
from rules.bugs import bug_evidence
from rules.engine import Engine

RULE = "missing-outcome"
MAX_TARGET = 300
UNQUOTED = "(an outcome the item names; no quote)"


def judged_items(engine: Engine, item: Item) -> bool:
    """True when the outcome rule asks this item for an outcome (its status aside): in its
    scope, and not a bug report (which the rule passes without asking)."""
    probe = _as_open(item)
    for active in engine.rules:
        if active.spec.id == RULE and active.scope.covers(probe):
            return bool(meaningful(item.outcome)) or bug_evidence(probe, active.params) is None
    return False


def outcome_target(engine: Engine, item: Item) -> str | None:
    """The target `item` named ("cut refund tickets by 30%"), or None when it named none.

    Rules skip done items, and a follow-up looks at items just done, so the item is judged as
    if it were still open: its words, not its status, say what it promised.
    """
    if not judged_items(engine, item):
        return None
    for verdict in engine.explain(_as_open(item)):
        if verdict.rule == RULE:
            if not verdict.passed:
                return None
            return _clip(verdict.evidence or "") or UNQUOTED
    return None


def _as_open(item: Item) -> Item:
    if item.status_category != "done":
        return item
    return dataclasses.replace(item, status_category="in_progress")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TARGET else text[: MAX_TARGET - 1].rstrip() + "…"
