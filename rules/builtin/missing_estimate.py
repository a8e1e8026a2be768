"""Rule `missing-estimate`: stories and tasks must be estimated before they take the team's time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from connectors.item import Item
from rules.registry import Problem, rule

DEFAULT_LABEL_PATTERNS = [
    "estimate: {n}",
    "estimate:{n}",
    "points/{n}",
    "points: {n}",
    "sp:{n}",
    "sp: {n}",
    "size: {size}",
    "size/{size}",
]
_PLACEHOLDERS = {
    "{n}": r"\d+(?:[.,]\d+)?",
    "{size}": r"(?:xs|s|m|l|xl)",
}


@lru_cache(maxsize=32)
def label_matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Compile label patterns ("estimate: {n}", "size/{size}") into one case-insensitive regex."""
    alternatives = []
    for pattern in patterns:
        regex = re.escape(pattern.strip()).replace("\\ ", r"\s*")  # "sp: 3" and "sp:3"
        for placeholder, value in _PLACEHOLDERS.items():
            regex = regex.replace(re.escape(placeholder), value)
        alternatives.append(regex)
    if not alternatives:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


def _patterns(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return ()


@rule(
    id="missing-estimate",
    summary="Is estimated",
    severity="warning",
    types=("story", "task"),
    params={"accept_time_estimates": False, "label_patterns": DEFAULT_LABEL_PATTERNS},
    good=[
        {"title": "Saved carts", "estimate": 3.0},
        {"title": "Fix typo in footer", "estimate": 0.0},
        {"title": "Bulk export", "source": "github", "labels": ["enhancement", "Size/M"]},
        {"title": "Audit log", "labels": ["estimate: 5"]},
    ],
    bad=[
        {"title": "Saved carts"},
        {"title": "Bulk export", "labels": ["size/huge", "points/"]},
        {"title": "Audit log", "time_estimate": 14400.0},
    ],
)
def missing_estimate(item: Item, params: Mapping[str, Any]) -> Problem | None:
    """Flag stories and tasks without an estimate.

    An item passes with story points (0 counts: trivial work is still estimated), with a label
    such as `estimate: 3`, `points/5` or `size/M` (see `label_patterns`), or with an original
    time estimate when `accept_time_estimates` is on. Without an estimate the team cannot
    tell whether the item fits a sprint, nor weigh its cost against its value.
    """
    if item.estimate is not None:
        return None
    if item.time_estimate is not None and params.get("accept_time_estimates", False):
        return None
    if item.labels:
        matcher = label_matcher(_patterns(params.get("label_patterns", DEFAULT_LABEL_PATTERNS)))
        if any(matcher.fullmatch(str(label).strip()) for label in item.labels):
            return None
    if item.time_estimate is not None:
        hours = item.time_estimate / 3600
        return Problem(
            message=f"Has only a time estimate ({hours:g} h); no story points or size label.",
            hint="Set Story Points, or set accept_time_estimates = true for this rule.",
        )
    patterns = _patterns(params.get("label_patterns", DEFAULT_LABEL_PATTERNS))
    if item.source == "jira":
        # Jira labels cannot hold spaces: only suggest a pattern that makes a valid label.
        label = _example_label(patterns, spaces=False)
        extra = f" or add a label like `{label}`" if label else ""
        hint = f"Set the Story Points field (0 is fine for trivial work){extra}."
    else:
        label = _example_label(patterns, spaces=True) or "estimate: 3"
        hint = f"Add a label like `{label}` (0 is fine for trivial work)."
    return Problem(message="Not estimated: no story points and no size label.", hint=hint)


def _example_label(patterns: tuple[str, ...], *, spaces: bool) -> str:
    """The first configured label pattern filled in ("estimate: 3"), optionally without spaces."""
    for pattern in patterns:
        label = pattern.strip().replace("{n}", "3").replace("{size}", "M")
        if "{" not in label and (spaces or " " not in label):
            return label
    return ""
