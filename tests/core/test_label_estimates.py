"""A size label satisfies missing-estimate and counts as points in the digest, on both trackers."""

from __future__ import annotations

from typing import Any

from bot.services.judge import Judge
from bot.store import Store, readiness
from connectors.github import to_item as github_to_item
from connectors.jira import FieldMap
from connectors.jira import to_item as jira_to_item
from rules.engine import Engine


def jira_issue(key: str, labels: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "fields": {
            "summary": "Export invoices",
            "issuetype": {"name": "Story"},
            "status": {"name": "To Do", "statusCategory": {"key": "new"}},
            "project": {"key": "PAY"},
            "labels": labels,
        },
    }


def github_issue(number: int, labels: list[str]) -> dict[str, Any]:
    return {
        "number": number,
        "title": "Export invoices",
        "state": "open",
        "labels": [{"name": name} for name in labels],
        "html_url": f"https://github.com/acme/shop/issues/{number}",
    }


def test_size_label_is_an_estimate_and_points_for_jira_and_github(store: Store) -> None:
    items = [
        jira_to_item(jira_issue("PAY-1", ["size/M"]), FieldMap()),
        jira_to_item(jira_issue("PAY-2", ["size:L"]), FieldMap()),
        jira_to_item(jira_issue("PAY-3", ["backend"]), FieldMap()),
        github_to_item(github_issue(4, ["size/M"]), "acme/shop"),
    ]
    engine = Engine()
    rules = {item.key: {f.rule for f in engine.evaluate(item)} for item in items}
    assert "missing-estimate" not in rules["PAY-1"] | rules["PAY-2"] | rules["acme/shop#4"]
    assert "missing-estimate" in rules["PAY-3"]
    assert [item.estimate for item in items] == [3.0, 5.0, None, 3.0]

    store.upsert_items(items)
    Judge(store, engine).refresh()
    jira = readiness.totals(store, readiness.Scope(source="jira"))
    assert (jira.points, jira.unestimated) == (8.0, 1)
    github = readiness.totals(store, readiness.Scope(source="github"))
    assert (github.points, github.unestimated) == (3.0, 0)
