"""Rule `low-value-near-top`: the top of the backlog is for valuable work, not costly trifles."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from connectors.item import Item
from rules.backlog import Backlog
from rules.builtin._folded import folded
from rules.registry import Passed, Problem, rule

DEFAULT_LOW_VALUES = ["low", "lowest", "minor", "trivial"]
BY_PRIORITY = {"value_field": "priority"}  # the examples' configuration
# Verdicts without evidence are shared: most items take these paths, 100,000 times a batch.
NO_SIGNAL = Passed(None, "no value signal configured (value_field, low_value_labels)")
NOT_LOW = Passed(None, "its value is not low")


@lru_cache(maxsize=16)
def _not_top(top_n: int) -> Passed:
    return Passed(None, f"not among the top {top_n}")


@rule(
    id="low-value-near-top",
    summary="Worth its place near the top",
    severity="warning",
    params={
        "top_n": 10,
        "value_field": "",
        "low_values": DEFAULT_LOW_VALUES,
        "low_value_labels": [],
        "effort_threshold": 8.0,
    },
    backlog=True,
    enabled=False,
    good=[
        {"rank": "0|a", "estimate": 13.0, "fields": {"priority": "High"}, "params": BY_PRIORITY},
        {"rank": "0|a", "estimate": 2.0, "fields": {"priority": "Low"}, "params": BY_PRIORITY},
        {"rank": "0|a", "estimate": 13.0, "fields": {"priority": "Low"}},  # no signal set up
        {
            "rank": "0|z",
            "estimate": 13.0,
            "fields": {"priority": "Low"},
            "params": {**BY_PRIORITY, "top_n": 2},
            "backlog": [{"key": "EX-2", "rank": "0|b"}, {"key": "EX-3", "rank": "0|c"}],
        },
    ],
    bad=[
        {"rank": "0|a", "estimate": 13.0, "fields": {"priority": "Low"}, "params": BY_PRIORITY},
        {
            "rank": "0|a",
            "estimate": 8.0,
            "labels": ["value: low"],
            "params": {"low_value_labels": ["Value: Low"]},
        },
    ],
)
def low_value_near_top(item: Item, params: Mapping[str, Any], backlog: Backlog) -> Problem | Passed:
    """Flag an item among the top `top_n` ranked whose value is low and whose effort is high.

    Only where the tracker carries a value signal: `value_field` names a field (Jira's
    `priority`, or one mapped in `jira.fields`) whose `low_values` mean low value, and/or
    `low_value_labels` lists labels that do. High effort is an estimate of at least
    `effort_threshold` points. The top of the backlog is what the team does next.
    """
    field = str(params.get("value_field") or "").strip().lower()
    low_labels = folded(params.get("low_value_labels"))
    if not field and not low_labels:
        return NO_SIGNAL
    entry = backlog.get(item.key)
    top_n = int(params.get("top_n", 10))
    if entry is None or entry.position is None or entry.position > top_n:
        return _not_top(top_n)
    low_values = folded(params.get("low_values"))
    signal = ""
    if field and item.fields.get(field, "").strip().lower() in low_values:
        signal = f"{field} {item.fields[field]}"
    else:
        signal = next((label for label in item.labels if label.strip().lower() in low_labels), "")
    if not signal:
        return NOT_LOW
    threshold = float(params.get("effort_threshold", 8.0))
    if item.estimate is None or item.estimate < threshold:
        return Passed(signal, "low value, but cheap")
    return Problem(
        message=f"Ranked #{entry.position} (top {top_n}) with low value ({signal}) and high "
        f"effort ({item.estimate:g} points).",
        hint="Move it down the backlog, or say why it is worth more than its value says.",
        evidence=signal,
    )
