"""The lean rules on real link shapes: Jira issue links, parent and epic; GitHub sub-issues."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.github.parse import to_item as github_item
from connectors.item import Item, Link
from connectors.jira.fields import FieldMap
from connectors.jira.parse import to_item as jira_item
from rules.backlog import Backlog, OwnWrites
from rules.engine import REGISTRY, Engine, Passed, Problem, load_builtin_rules, validate_rule_config
from rules.examples import example_item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LEGACY = json.loads((FIXTURES / "jira" / "search_v3_legacy_real.trimmed.json").read_text())
ISSUE = json.loads((FIXTURES / "jira" / "issue_get_200.openapi-example.json").read_text())
GITHUB = json.loads((FIXTURES / "github" / "rest_list_repo_issues_type_bug_2025.json").read_text())
FIELDS = FieldMap(rank="customfield_10019", epic_link="customfield_10014")
LEAN = ("no-goal", "blocked-above-blocker", "stale", "oversized", "low-value-near-top")

load_builtin_rules()


def run(rule_id: str, item: Item, backlog: Backlog | None = None, **params: Any) -> Any:
    spec = REGISTRY[rule_id]
    return spec.run(item, {**spec.params, **params}, backlog)


def legacy(key: str) -> dict[str, Any]:
    issue = next(i for i in LEGACY["issues"] if i["key"] == key)
    return copy.deepcopy(issue)


def test_lean_rules_are_opt_in_and_switch_on_per_table() -> None:
    assert not set(LEAN) & set(Engine().rule_ids)
    engine = Engine({rule_id: {"enabled": True} for rule_id in LEAN})
    assert set(LEAN) <= set(engine.rule_ids)
    assert engine.needs_backlog
    assert not Engine().needs_backlog


def test_jira_story_with_only_a_clone_link_serves_no_goal() -> None:
    # TMSP-23 (recorded): a Story whose only link is "is cloned by KAN-14" (Cloners).
    item = jira_item(legacy("TMSP-23"), FIELDS)
    assert item.links == (Link("is cloned by", "KAN-14"),)
    assert isinstance(run("no-goal", item), Problem)
    passed = run("no-goal", item, goal_link_types=["is cloned by"])
    assert passed == Passed("is cloned by KAN-14", "is linked to a goal")


def test_jira_parent_counts_as_a_goal() -> None:
    # TMSP-64 (recorded): a Sub-task whose `parent` object names TMSP-63.
    item = jira_item(legacy("TMSP-64"), FIELDS)
    assert item.parent == "TMSP-63"
    assert isinstance(run("no-goal", item), Passed)
    # Sub-tasks are out of the rule's default scope (their parent is a story, not a goal).
    item.parent = None
    engine = Engine({"no-goal": {"enabled": True}})
    assert item.kind == "subtask"
    assert all(v.rule != "no-goal" for v in engine.explain(item))


def test_jira_epic_link_field_counts_as_a_goal() -> None:
    issue = legacy("TMSP-23")
    issue["fields"]["customfield_10014"] = "TMSP-1"  # company-managed "Epic Link"
    item = jira_item(issue, FIELDS)
    assert item.parent == "TMSP-1"
    assert run("no-goal", item).evidence == "parent TMSP-1"


def test_goal_label_field_and_per_project_settings() -> None:
    issue = legacy("TMSP-23")
    issue["fields"]["labels"] = ["OKR:Q1-activation"]
    assert run("no-goal", jira_item(issue, FIELDS)).evidence == "OKR:Q1-activation"
    issue["fields"]["labels"] = ["initiative-checkout"]
    item = jira_item(issue, FIELDS)
    assert isinstance(run("no-goal", item), Problem)
    per_project = {"TMSP": {"goal_labels": ["initiative"]}}
    assert isinstance(run("no-goal", item, per_project=per_project), Passed)
    assert isinstance(run("no-goal", item, per_project={"OTHER": {"goal_labels": ["x"]}}), Problem)
    issue["fields"]["customfield_10050"] = {"value": "Grow self-serve revenue"}
    mapped = FieldMap(rank="customfield_10019", extra=(("goal", "customfield_10050"),))
    item = jira_item(issue, mapped)
    assert item.fields["goal"] == "Grow self-serve revenue"
    assert run("no-goal", item, goal_field="goal").evidence == "goal: Grow self-serve revenue"


def test_per_project_table_is_validated() -> None:
    problems = validate_rule_config({"no-goal": {"per_project": {"PAY": {"goal_lables": []}}}})
    assert problems == [
        "unknown key 'rules.no-goal.per_project.PAY.goal_lables' (allowed: goal_labels, "
        "goal_field, goal_link_types)"
    ]


def test_github_sub_issue_and_milestone_count_as_goals() -> None:
    issue = copy.deepcopy(GITHUB[0])  # recorded 2025 shape with sub_issues_summary
    item = github_item(issue)
    assert item.parent is None and isinstance(run("no-goal", item), Problem)
    # A sub-issue carries its parent's API URL (GitHub REST, sub-issues).
    issue["parent_issue_url"] = "https://api.github.com/repos/PyGithub/PyGithub/issues/3000"
    assert run("no-goal", github_item(issue)).evidence == "parent PyGithub/PyGithub#3000"
    issue = copy.deepcopy(GITHUB[0])
    issue["milestone"] = {"title": "Q3: reliable CI", "number": 4}
    item = github_item(issue)
    assert item.fields == {"milestone": "Q3: reliable CI"}
    assert isinstance(run("no-goal", item, goal_field="milestone"), Passed)


def blocked_story(link_type: str = "Blocks") -> Item:
    """TMSP-23 (recorded) with its link turned into "is blocked by KAN-14" (same JSON shape)."""
    issue = legacy("TMSP-23")
    link = issue["fields"]["issuelinks"][0]
    link["type"].update(name=link_type, inward="is blocked by", outward="blocks")
    return jira_item(issue, FIELDS)


def test_jira_story_ranked_above_its_blocker_names_it_and_both_ranks() -> None:
    item = blocked_story()
    assert item.rank == "0|i000rz:" and Link("is blocked by", "KAN-14") in item.links
    rows = [
        (item.key, "TMSP", item.rank, "todo", item.title),
        ("TMSP-30", "TMSP", "0|i000sz:", "todo", "Other"),
        ("KAN-14", "TMSP", "0|i0019z:", "todo", "CLONE - ry6fr7t 5"),
    ]
    problem = run("blocked-above-blocker", item, Backlog.build(rows))
    assert isinstance(problem, Problem)
    assert problem.message == (
        "Ranked #1, above what blocks it: KAN-14 “CLONE - ry6fr7t 5” (ranked #3)."
    )
    assert problem.evidence == "is blocked by KAN-14"
    # The blocker done, or ranked first: nothing to say.
    done = [*rows[:2], ("KAN-14", "TMSP", "0|i0019z:", "done", "x")]
    assert isinstance(run("blocked-above-blocker", item, Backlog.build(done)), Passed)
    first = [*rows[:2], ("KAN-14", "TMSP", "0|i0000a:", "todo", "x")]
    assert isinstance(run("blocked-above-blocker", item, Backlog.build(first)), Passed)


def test_jira_dependent_link_from_the_issue_example() -> None:
    # The documented Dependent type: inward "depends on" PR-3, outward "is depended by" PR-2.
    issue = copy.deepcopy(ISSUE)
    issue["fields"]["customfield_10019"] = "0|a:"
    item = jira_item(issue, FIELDS)
    assert Link("depends on", "PR-3") in item.links
    backlog = Backlog.build(
        [(item.key, item.project, "0|a:", "todo", ""), ("PR-3", "PR", "0|b:", "todo", "")]
    )
    problem = run("blocked-above-blocker", item, backlog)
    assert isinstance(problem, Problem)
    assert "PR-3 (ranked #1 in PR)" in problem.message
    # "is depended by PR-2" is the other direction: PR-2 waits for this item, no problem.
    backlog = Backlog.build(
        [(item.key, item.project, "0|a:", "todo", ""), ("PR-2", "PR", "0|b:", "todo", "")]
    )
    assert isinstance(run("blocked-above-blocker", item, backlog), Passed)


def test_a_blocker_outside_the_batch_is_not_guessed() -> None:
    item = blocked_story()
    assert isinstance(run("blocked-above-blocker", item), Passed)  # backlog of itself only


def test_stale_ignores_refinerys_own_comment() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    ours = now - timedelta(days=2)
    item = example_item(updated=ours + timedelta(seconds=20), created=now - timedelta(days=400))
    human = now - timedelta(days=120)
    writes = {item.key: OwnWrites((ours,), human)}
    problem = run("stale", item, Backlog.of([item], now, writes))
    assert isinstance(problem, Problem) and problem.evidence == "last human update 2026-08-03"
    # A person commented after our write: fresh again.
    later = example_item(updated=ours + timedelta(hours=5))
    assert isinstance(run("stale", later, Backlog.of([later], now, writes)), Passed)
    assert isinstance(run("stale", item, Backlog.of([item], now, writes), days=200), Passed)


@pytest.mark.parametrize(
    ("estimate", "criteria", "flagged"),
    [(13.0, 3, False), (14.0, 0, True), (None, 9, True), (None, 8, False), (5.0, 20, True)],
)
def test_oversized(estimate: float | None, criteria: int, flagged: bool) -> None:
    lines = "\n".join(f"- Given case {n} when paying then it works" for n in range(criteria))
    item = example_item(
        estimate=estimate,
        description=f"## Acceptance Criteria\n{lines}\n\n## Notes\nnone",
        description_format="markdown",
    )
    assert isinstance(run("oversized", item), Problem) is flagged


def test_low_value_near_top_reads_jira_priority() -> None:
    issue = legacy("TMSP-23")  # recorded priority "High"
    item = jira_item(issue, FIELDS)
    assert item.fields["priority"] == "High"
    issue["fields"]["priority"]["name"] = "Low"
    low = jira_item(issue, FIELDS)
    low.estimate = 13.0
    backlog = Backlog.of([low])
    problem = run("low-value-near-top", low, backlog, value_field="priority")
    assert isinstance(problem, Problem) and problem.evidence == "priority Low"
    assert isinstance(run("low-value-near-top", low, backlog), Passed)  # no signal configured


def test_engine_passes_the_batch_to_backlog_rules_only() -> None:
    engine = Engine({"blocked-above-blocker": {"enabled": True}})
    blocker = example_item(key="EX-9", rank="0|z", title="Vault")
    item = example_item(key="EX-1", rank="0|a", links=(Link("is blocked by", "EX-9"),))
    backlog = Backlog.of([item, blocker])
    found = [f for f in engine.evaluate(item, backlog) if f.rule == "blocked-above-blocker"]
    assert found and found[0].evidence == "is blocked by EX-9"
    assert not [f for f in engine.evaluate(item) if f.rule == "blocked-above-blocker"]
    verdicts = {v.rule: v for v in engine.explain(item, backlog)}
    assert verdicts["blocked-above-blocker"].passed is False


def test_github_dependencies_written_in_the_body_become_links() -> None:
    payload = json.loads((FIXTURES / "github" / "webhook_issues_edited_body.json").read_text())
    issue = payload["issue"]  # recorded 2026 shape: issue_dependencies_summary counts only
    assert "blocked_by" in issue["issue_dependencies_summary"]
    issue["body"] = "Export invoices.\n\nBlocked by #5 and Pritesh-30/api#2\nDepends on: #4"
    item = github_item(issue)
    assert item.links == (
        Link("is blocked by", "Pritesh-30/test-repo#5"),
        Link("is blocked by", "Pritesh-30/api#2"),
        Link("depends on", "Pritesh-30/test-repo#4"),
    )
    item.rank = "0|a"  # GitHub has no rank of its own; a file import or board order may give one
    rows = [
        (item.key, item.project, "0|a", "todo", item.title),
        ("Pritesh-30/test-repo#5", item.project, "0|b", "todo", "Invoice API"),
    ]
    problem = run("blocked-above-blocker", item, Backlog.build(rows))
    assert isinstance(problem, Problem)
    assert "Pritesh-30/test-repo#5 “Invoice API” (ranked #2)" in problem.message
    issue["body"] = "We are not blocked by anything; it depends on the weather."
    assert github_item(issue).links == ()
