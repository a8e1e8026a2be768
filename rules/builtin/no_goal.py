"""Rule `no-goal`: a story, feature or task should serve a goal the team has agreed on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.item import Item
from rules.builtin._folded import folded
from rules.registry import Passed, Problem, rule

DEFAULT_GOAL_LABELS = ["goal", "okr", "objective"]
DEFAULT_GOAL_LINK_TYPES = ["implements", "contributes to", "is part of", "supports"]
PROJECT_KEYS = ("goal_labels", "goal_field", "goal_link_types")
_SEPARATORS = (":", "/", "-", " ", "=")


def check_table(table: Mapping[str, Any]) -> list[str]:
    """`per_project` maps a project to its own goal_labels / goal_field / goal_link_types."""
    problems: list[str] = []
    per_project = table.get("per_project", {})
    if not isinstance(per_project, Mapping):
        return problems  # the engine already says it must be a table
    for project, overrides in per_project.items():
        where = f"rules.no-goal.per_project.{project}"
        if not isinstance(overrides, Mapping):
            problems.append(f"'{where}' must be a table")
            continue
        for key, value in overrides.items():
            if key not in PROJECT_KEYS:
                allowed = ", ".join(PROJECT_KEYS)
                problems.append(f"unknown key '{where}.{key}' (allowed: {allowed})")
            elif key == "goal_field" and not isinstance(value, str):
                problems.append(f"'{where}.{key}' must be a str")
            elif key != "goal_field" and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                problems.append(f"'{where}.{key}' must be a list of strings")
    return problems


def is_goal_label(label: str, goal_labels: list[str] | tuple[str, ...]) -> bool:
    """ "okr", "OKR: Q3 retention", "goal/checkout" count for goal label "okr" / "goal"."""
    name = label.strip().lower()
    for wanted in goal_labels:
        wanted = wanted.strip().lower()
        if name == wanted or (name.startswith(wanted) and name[len(wanted)] in _SEPARATORS):
            return True
    return False


@rule(
    id="no-goal",
    summary="Serves a goal",
    severity="warning",
    types=("story", "feature", "task"),
    params={
        "goal_labels": DEFAULT_GOAL_LABELS,
        "goal_field": "",
        "goal_link_types": DEFAULT_GOAL_LINK_TYPES,
        "per_project": {},
    },
    enabled=False,
    check=check_table,
    good=[
        {"title": "Saved carts", "parent": "PAY-7"},
        {"title": "Saved carts", "source": "github", "parent": "acme/shop#12"},
        {"title": "Retry failed payouts", "labels": ["backend", "OKR: Q3 payout reliability"]},
        {"title": "Bulk export", "links": [{"type": "implements", "target": "IDEA-4"}]},
    ],
    bad=[
        {"title": "Saved carts"},
        {"title": "Bulk export", "labels": ["goalkeeper-ui"]},
        {"title": "Dark mode", "links": [{"type": "relates to", "target": "PAY-3"}]},
    ],
)
def no_goal(item: Item, params: Mapping[str, Any]) -> Problem | Passed:
    """Flag stories, features and tasks tied to no goal.

    An item passes when it has a parent (a Jira epic or parent issue, a GitHub parent issue of
    a sub-issue), a goal label (`goal_labels`, e.g. `okr: Q3 retention`), a value in the
    tracker field named by `goal_field` (e.g. `milestone` on GitHub, or a Jira field mapped in
    `jira.fields`), or a link of a type in `goal_link_types` (e.g. Jira Product Discovery's
    "implements"). `per_project` sets these per project. Work that serves no goal takes the
    team's time from work that does: tie it to one, or say no to it.
    """
    if item.parent:
        return Passed(f"parent {item.parent}", "belongs to a parent epic, feature or issue")
    overrides = params.get("per_project", {}).get(item.project)
    settings = {**params, **overrides} if overrides else params
    goal_labels = settings.get("goal_labels", DEFAULT_GOAL_LABELS)
    for label in item.labels:
        if is_goal_label(label, goal_labels):
            return Passed(label, "carries a goal label")
    goal_field = str(settings.get("goal_field") or "").strip().lower()
    if goal_field and item.fields.get(goal_field, "").strip():
        return Passed(f"{goal_field}: {item.fields[goal_field]}", "has a goal in its field")
    link_types = folded(settings.get("goal_link_types"))
    for link in item.links:
        if link.type.strip().lower() in link_types:
            return Passed(f"{link.type} {link.target}", "is linked to a goal")
    ways = ["parent epic", "goal label"]
    if goal_field:
        ways.append(goal_field)
    if link_types:
        ways.append("goal link")
    return Problem(
        message=f"Tied to no goal: no {', '.join(ways[:-1])} or {ways[-1]}.",
        hint="Set the epic or goal it serves, or add a goal label like `okr: <goal>`; "
        "if it serves none, say no to it.",
    )
