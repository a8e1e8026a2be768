"""Rule `oversized`: a story too big for a sprint should be split before it is planned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.item import Item
from rules.registry import Passed, Problem, rule

WITHIN = "within the split threshold and the acceptance-criteria limit"
UNESTIMATED_WITHIN = Passed(None, WITHIN)  # shared: no evidence to quote
# Section headings (lower case) whose lines are acceptance criteria.
CRITERIA_SECTIONS = ("acceptance criteria", "acceptance", "acceptance tests", "ac")


def criteria(item: Item, more_than: int = 0) -> list[str]:
    """The acceptance criteria, one per non-empty line of the first criteria section; with
    `more_than`, a section that cannot hold more lines than that is not split (cheap pass)."""
    if not item.sections:
        return []
    for heading in CRITERIA_SECTIONS:
        content = item.sections.get(heading)
        if content:
            if more_than and content.count("\n") < more_than:
                return []
            return [line.strip() for line in content.splitlines() if line.strip()]
    return []


@rule(
    id="oversized",
    summary="Small enough to finish",
    severity="warning",
    types=("story", "task"),
    params={"split_threshold": 13.0, "max_acceptance_criteria": 8},
    enabled=False,
    good=[
        {"title": "Saved carts", "estimate": 8.0},
        {"title": "Saved carts", "estimate": 13.0},
        {
            "title": "Saved carts",
            "description": "## Acceptance criteria\n- cart survives logout\n- cart expires",
            "description_format": "markdown",
        },
    ],
    bad=[
        {"title": "New checkout", "estimate": 21.0},
        {
            "title": "New checkout",
            "description": "h2. Acceptance Criteria\n"
            + "\n".join(f"* criterion {n}" for n in range(1, 11)),
            "description_format": "wiki",
        },
    ],
)
def oversized(item: Item, params: Mapping[str, Any]) -> Problem | Passed:
    """Flag stories and tasks estimated above the team's split threshold, or with more
    acceptance criteria than `max_acceptance_criteria` (0: no limit).

    Big items hide risk and rarely finish inside a sprint; `split_threshold` (default 13
    points) is where this team says "split it first". Many acceptance criteria usually mean
    several stories in one.
    """
    threshold = float(params.get("split_threshold", 13.0))
    if item.estimate is not None and item.estimate > threshold:
        return Problem(
            message=f"Estimated at {item.estimate:g} points, above the split threshold of "
            f"{threshold:g}.",
            hint="Split it into stories that each deliver something on their own (by workflow "
            "step, rule or data case).",
            evidence=f"estimate {item.estimate:g}",
        )
    limit = int(params.get("max_acceptance_criteria", 8))
    found = criteria(item, limit) if limit else []
    if limit and len(found) > limit:
        return Problem(
            message=f"Has {len(found)} acceptance criteria, more than {limit}: likely several "
            "stories in one.",
            hint="Split it along its acceptance criteria: each group that delivers value alone "
            "becomes a story.",
            evidence=found[0],
        )
    if item.estimate is None:
        return UNESTIMATED_WITHIN
    return Passed(f"estimate {item.estimate:g}", WITHIN)
