"""Builtin rules: one module each, registered on import."""

from rules.builtin import (
    blocked_above_blocker,
    low_value_near_top,
    missing_estimate,
    missing_outcome,
    missing_why,
    no_goal,
    oversized,
    stale,
)

__all__ = [
    "blocked_above_blocker",
    "low_value_near_top",
    "missing_estimate",
    "missing_outcome",
    "missing_why",
    "no_goal",
    "oversized",
    "stale",
]
