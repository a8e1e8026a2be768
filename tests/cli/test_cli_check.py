"""`refinery check` on files and on the store: table, JSON, exit codes and errors."""

from __future__ import annotations

import json
from pathlib import Path

from bot.store import open_store
from connectors.files import dump_items, load_items
from tests.cli.conftest import Invoke
from tests.factories import make_item

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo_data"
JIRA = FIXTURES / "jira" / "search_v3_legacy_real.trimmed.json"
JIRA_JQL = FIXTURES / "jira" / "search_jql_page1_of_3.jira-cli-testdata.json"
GITHUB = FIXTURES / "github" / "rest_list_repo_issues.trimmed.json"
GITHUB_2025 = FIXTURES / "github" / "rest_list_repo_issues_type_bug_2025.json"
ALL_FIXTURES = (JIRA, JIRA_JQL, GITHUB, GITHUB_2025)
DEMO_FILES = (DEMO / "jira_search_page.json", DEMO / "github_issues.json")


def test_table_on_the_recorded_fixtures(invoke: Invoke) -> None:
    result = invoke("check", *ALL_FIXTURES)
    assert result.exit_code == 0, result.output
    assert "Backlog health" in result.stdout
    assert "open items" in result.stdout
    # TMSP-23 is a story whose only text is "clone ": it fails missing-why.
    assert "TMSP-23" in result.stdout
    assert "missing-why" in result.stdout


def test_json_on_the_recorded_fixtures(invoke: Invoke) -> None:
    result = invoke("check", "--format", "json", *ALL_FIXTURES)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # exactly one JSON document, nothing else
    assert set(document) == {"items", "findings"}
    # 2 legacy + 2 jql + 3 issues (2 PRs skipped) + 3 bugs, none done.
    assert document["items"] == 10
    assert document["findings"]
    for finding in document["findings"]:
        assert {"source", "key", "rule", "severity", "message"} <= set(finding)
        assert finding["severity"] in ("info", "warning", "error")
    keys = {finding["key"] for finding in document["findings"]}
    assert "TMSP-23" in keys
    assert not any(key.endswith(("#3045", "#3043")) for key in keys)  # pull requests


def test_json_findings_match_the_demo_backlog(invoke: Invoke) -> None:
    document = json.loads(invoke("check", "-f", "json", *DEMO_FILES).stdout)
    rules = {(f["key"], f["rule"]) for f in document["findings"]}
    assert ("PAY-127", "missing-why") in rules  # template left unchanged
    assert ("PAY-120", "missing-outcome") in rules  # acceptance criteria only
    assert ("PAY-112", "missing-estimate") in rules
    assert ("acme/mobile-app#217", "missing-why") in rules  # `_No response_`
    assert ("acme/mobile-app#215", "missing-outcome") in rules
    assert not any(key in ("PAY-110", "PAY-111", "acme/mobile-app#214") for key, _ in rules)
    assert not any(key == "PAY-136" for key, _ in rules)  # done


def test_broken_file_is_one_line_on_stderr_and_exit_2(invoke: Invoke, clean_env: Path) -> None:
    broken = clean_env / "export.json"
    broken.write_text('{"issues": [{"key": "PAY-1", "fields": {', "utf-8")
    result = invoke("check", JIRA, broken)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(broken) in lines[0]
    assert "not valid JSON" in lines[0]
    assert not list(clean_env.glob("*.db"))  # files mode never opens the store


def test_unknown_shape_exits_2_naming_the_file(invoke: Invoke) -> None:
    hook = FIXTURES / "github" / "webhook_issues_opened.json"
    result = invoke("check", "--format", "json", hook)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "webhook_issues_opened.json" in result.stderr
    assert "unknown shape" in result.stderr


def test_fail_on(invoke: Invoke, clean_env: Path) -> None:
    assert invoke("check", *DEMO_FILES).exit_code == 0
    assert invoke("check", "--fail-on", "warning", *DEMO_FILES).exit_code == 1
    # The builtin rules default to warning, so nothing reaches error...
    assert invoke("check", "--fail-on", "error", *DEMO_FILES).exit_code == 0
    # ...unless the config raises a rule's severity.
    config = clean_env / "strict.toml"
    config.write_text('[rules.missing-estimate]\nseverity = "error"\n', "utf-8")
    result = invoke("check", "--config", config, "--fail-on", "error", *DEMO_FILES)
    assert result.exit_code == 1
    # A ready backlog passes even the strictest gate.
    ready = clean_env / "ready.json"
    dump_items([make_item(), make_item()], ready)
    assert invoke("check", "--fail-on", "info", ready).exit_code == 0


def test_no_path_evaluates_the_store_and_records_findings(invoke: Invoke, clean_env: Path) -> None:
    url = f"sqlite:///{clean_env / 'store.db'}"
    store = open_store(url)
    items = load_items(DEMO / "github_issues.json")
    store.upsert_items(items)
    result = invoke("check", "--format", "json", env={"REFINERY_STORE__URL": url})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["items"] == sum(1 for item in items if item.status_category != "done")
    recorded = store.open_findings()
    assert recorded
    assert {f["key"] for f in document["findings"]} == {uid.split(":", 1)[1] for uid in recorded}
    store.close()


def test_empty_store_says_how_to_fill_it(invoke: Invoke, clean_env: Path) -> None:
    url = f"sqlite:///{clean_env / 'empty.db'}"
    result = invoke("check", env={"REFINERY_STORE__URL": url})
    assert result.exit_code == 0
    assert "refinery sync" in result.stderr
    assert "No open items to judge" in result.stdout and "100%" not in result.stdout


def test_table_limit_says_how_many_more(invoke: Invoke) -> None:
    result = invoke("check", "--limit", "3", *DEMO_FILES)
    assert result.exit_code == 0
    assert "Checked 45 items from 2 files (2 pull requests skipped)." in result.stdout
    assert "more findings" in result.stdout


def test_explain_json_quotes_verbatim_evidence_for_every_passed_verdict(invoke: Invoke) -> None:
    document = json.loads(invoke("check", "--format", "json", "--explain", *DEMO_FILES).stdout)
    items = {(entry["source"], entry["key"]): entry for entry in document["evaluated"]}
    stored = {(item.source, item.key): item for path in DEMO_FILES for item in load_items(path)}
    assert items and set(items) <= set(stored)
    passed = 0
    for uid, entry in items.items():
        item = stored[uid]
        for verdict in entry["verdicts"]:
            assert set(verdict) == {"rule", "passed", "evidence", "reason"}
            assert verdict["reason"]
            if verdict["passed"] and verdict["rule"] in ("missing-why", "missing-outcome"):
                evidence = verdict["evidence"]
                if evidence is None:
                    assert item.outcome, (uid, verdict)  # only a field can pass without a quote
                    continue
                assert evidence in item.title or evidence in item.text, (uid, verdict)
                passed += 1
    assert passed >= 5
    # findings carry the quote that shows the problem, when there is one
    assert all("evidence" in finding for finding in document["findings"])


def test_explain_table_shows_the_quotes(invoke: Invoke) -> None:
    result = invoke("check", "--explain", "--limit", "0", *DEMO_FILES)
    assert result.exit_code == 0, result.output
    assert "What counted" in result.stdout
    assert "✓" in result.stdout and "✗" in result.stdout


def test_the_store_answers_as_the_files_do_and_judges_once(invoke: Invoke, clean_env: Path) -> None:
    url = f"sqlite:///{clean_env / 'same.db'}"
    store = open_store(url)
    items = [item for path in DEMO_FILES for item in load_items(path)]
    store.upsert_items(items)
    store.close()
    env = {"REFINERY_STORE__URL": url}
    first = invoke("check", "--format", "json", env=env)
    assert "Evaluating 45 stored items" in first.stderr
    again = invoke("check", "--format", "json", env=env)
    assert "Evaluating" not in again.stderr  # judged once; now read from the store
    from_files = json.loads(invoke("check", "--format", "json", *DEMO_FILES).stdout)
    from_store = json.loads(again.stdout)
    assert from_store["items"] == from_files["items"]

    def rows(document: dict[str, object]) -> list[tuple[object, ...]]:
        found = document["findings"]
        assert isinstance(found, list)
        return sorted(tuple(sorted(f.items())) for f in found)

    assert rows(from_store) == rows(from_files)  # evidence and hints included
    table = invoke("check", "--limit", "3", env=env)
    assert table.exit_code == 0 and "more findings" in table.stdout
    assert invoke("check", "--fail-on", "warning", env=env).exit_code == 1
