"""The first hour: --version, rules, check KEY, comment previews, empty states, serve's truth."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from rules.engine import load_builtin_rules
from tests.cli.conftest import Invoke
from tests.fakes.slack import FakeSlack

REFINERY = str(Path(sys.executable).with_name("refinery"))


@pytest.fixture
def demo_store(invoke: Invoke, clean_env: Path) -> dict[str, str]:
    """The demo's store kept with --data-dir, and the environment that points at it."""
    result = invoke("demo", "--data-dir", clean_env / "demo")
    assert result.exit_code == 0, result.output
    return {"REFINERY_STORE__URL": f"sqlite:///{clean_env / 'demo' / 'refinery-demo.db'}"}


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"refinery {version('backlog-refinery')}"


def test_rules_lists_every_registered_rule(invoke: Invoke) -> None:
    registry = load_builtin_rules()
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = {rule["id"]: rule for rule in json.loads(result.stdout)["rules"]}
    assert set(listed) == set(registry)
    for rule_id, spec in registry.items():
        assert listed[rule_id]["summary"] == spec.summary
        assert listed[rule_id]["severity"] == spec.severity
        assert listed[rule_id]["types"] == list(spec.scope.types)
    table = invoke("rules")
    for spec in registry.values():
        assert spec.id in table.stdout


def test_rules_show_configured_severity(invoke: Invoke, clean_env: Path) -> None:
    (clean_env / "refinery.toml").write_text('[rules.missing-why]\nseverity = "error"\n')
    rules = {r["id"]: r for r in json.loads(invoke("rules", "-f", "json").stdout)["rules"]}
    assert rules["missing-why"]["severity"] == "error"
    assert rules["missing-why"]["default_severity"] == "warning"


def test_rules_explain(invoke: Invoke) -> None:
    spec = load_builtin_rules()["missing-why"]
    result = invoke("rules", "explain", "missing-why")
    assert result.exit_code == 0, result.output
    assert spec.doc.splitlines()[0] in result.stdout
    assert "Passes:" in result.stdout and "Fails:" in result.stdout
    for example in (*spec.good, *spec.bad):
        assert repr(example["title"]) in result.stdout
    document = json.loads(invoke("rules", "explain", "missing-estimate", "-f", "json").stdout)
    assert document["params"]["accept_time_estimates"] is False
    assert "label_patterns" in document["params"]


def test_rules_explain_unknown(invoke: Invoke) -> None:
    result = invoke("rules", "explain", "missing-vision")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Unknown rule 'missing-vision'; the rules are: {', '.join(sorted(load_builtin_rules()))}"
    ]


# -- the store, after the demo -------------------------------------------------------------


def test_check_key_from_the_store(invoke: Invoke, demo_store: dict[str, str]) -> None:
    result = invoke("check", "PAY-127", "--format", "json", env=demo_store)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["items"] == 1
    assert document["findings"] and {f["key"] for f in document["findings"]} == {"PAY-127"}
    missing = invoke("check", "PAY-9999", env=demo_store)
    assert missing.exit_code == 2
    assert missing.stderr.splitlines() == [
        "PAY-9999: not in the store (run `refinery sync`, or check the key)"
    ]


def test_check_filters(invoke: Invoke, demo_store: dict[str, str]) -> None:
    def check(*args: str) -> dict[str, object]:
        result = invoke("check", "-f", "json", *args, env=demo_store)
        assert result.exit_code == 0, result.output
        document: dict[str, object] = json.loads(result.stdout)
        return document

    everything = check()
    findings = everything["findings"]
    assert isinstance(findings, list)

    def ordered(found: object) -> list[dict[str, str]]:
        # The unfiltered check reads stored verdicts in index order; compare the findings.
        assert isinstance(found, list)
        return sorted(found, key=lambda f: (f["source"], f["key"], f["rule"]))

    why = check("--rule", "missing-why")["findings"]
    assert ordered(why) == ordered([f for f in findings if f["rule"] == "missing-why"])
    pay = check("--project", "PAY")["findings"]
    assert isinstance(pay, list) and pay
    assert ordered(pay) == ordered([f for f in findings if f["key"].startswith("PAY-")])
    stories = check("--kind", "bug")
    assert stories["findings"] == []  # the builtin rules do not judge bugs
    bad_rule = invoke("check", "--rule", "missing-vision", env=demo_store)
    assert bad_rule.exit_code == 2 and "missing-vision" in bad_rule.stderr


def test_comment_dry_run_on_the_demo_store_prints_the_comments(
    invoke: Invoke, demo_store: dict[str, str]
) -> None:
    result = invoke("comment", "--dry-run", env=demo_store)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "no tracker is configured: planned from the store" in out
    planned = re.findall(r"^would comment on (\S+)", out, re.MULTILINE)
    assert len(planned) > 3
    assert out.count("Posted by Refinery") == len(planned)  # each comment's text is shown
    assert 'Add a "Why" section' in out
    assert re.search(rf"^{len(planned)} planned", out, re.MULTILINE)


def test_empty_store_says_so(invoke: Invoke) -> None:
    result = invoke("check")
    assert result.exit_code == 0
    assert "The store is empty: run `refinery sync`" in result.stderr
    assert "100%" not in result.stdout and "every open item is ready" not in result.stdout
    comment = invoke("comment", "--dry-run")
    assert comment.stdout.startswith("The store is empty")


def test_no_digest_for_an_empty_backlog(invoke: Invoke) -> None:
    result = invoke("digest", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "not posted, no open items" in result.stdout
    assert "ready" not in result.stdout.replace("not posted", "")


def test_bot_token_refused_by_auth_test(invoke: Invoke) -> None:
    slack = FakeSlack().start()
    slack.fail["auth.test"] = "invalid_auth"
    try:
        env = {
            "REFINERY_SLACK__BOT_TOKEN": "xoxb-wrong",
            "REFINERY_SLACK__SIGNING_SECRET": "s",
            "REFINERY_SLACK__API_URL": slack.api_url,
        }
        result = invoke("serve", "--no-scheduler", "--port", "0", env=env)
    finally:
        slack.stop()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Slack refused REFINERY_SLACK__BOT_TOKEN (auth.test: invalid_auth): set a valid token"
    ]
    assert "xoxb-wrong" not in result.output


# -- a real server ---------------------------------------------------------------------------


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    banner: list[str]

    def get(self, path: str, data: bytes | None = None) -> tuple[int, str, str]:
        request = urllib.request.Request(self.url + path, data=data)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.headers["Content-Type"], answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers["Content-Type"], exc.read().decode()

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=30)
        return stderr


def serve(tmp_path: Path, *args: str, config: str = "") -> Iterator[Served]:
    (tmp_path / "refinery.toml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFINERY_")}
    process = subprocess.Popen(
        [REFINERY, *args, "serve", "--port", "0", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = []
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("  Scheduler:"):
            break
    match = re.search(r"serving on (http://\S+)", "\n".join(banner))
    assert match, banner
    served = Served(process, match.group(1), banner)
    try:
        yield served
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    yield from serve(tmp_path, "--log-format", "json")


def test_serve_without_slack_says_slack_is_off(server: Served) -> None:
    banner = "\n".join(server.banner)
    assert "Slack: off, set REFINERY_SLACK__BOT_TOKEN and REFINERY_SLACK__SIGNING_SECRET" in banner
    assert "/slack/events" not in banner
    assert "Metrics: off" in banner
    assert server.get("/slack/events", data=b"{}")[0] == 404
    assert server.get("/healthz")[0] == 200
    assert server.get("/metrics")[0] == 404
    stderr = server.stop()
    # One JSON object a line, and an access-log line per request without bodies.
    entries = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    access = [e for e in entries if e["logger"] == "bot.access"]
    others = [e for e in entries if e["logger"] != "bot.access"]
    assert "/slack/events" not in json.dumps(others)  # only the request made above names it
    assert [(e["method"], e["path"], e["status"]) for e in access] == [
        ("POST", "/slack/events", 404),
        ("GET", "/healthz", 200),
        ("GET", "/metrics", 404),
    ]
    assert all(e["duration_ms"] >= 0 and e["level"] == "info" for e in access)


@pytest.fixture
def metrics_server(tmp_path: Path) -> Iterator[Served]:
    yield from serve(tmp_path, config="[server]\nmetrics = true\n")


def test_metrics_in_prometheus_text_format(metrics_server: Served) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    assert "  Metrics: GET /metrics (Prometheus text format)" in metrics_server.banner
    assert metrics_server.get("/healthz")[0] == 200
    status, kind, body = metrics_server.get("/metrics")
    from prometheus_client import CONTENT_TYPE_LATEST

    assert status == 200 and kind == CONTENT_TYPE_LATEST
    families = {family.name: family for family in text_string_to_metric_families(body)}
    for name in ("refinery_items", "refinery_open_findings", "refinery_slack_ack_seconds"):
        assert name in families
    assert "refinery_webhook_inbox" in families
    requests = families["refinery_http_requests"]
    healthz = [s for s in requests.samples if s.labels.get("route") == "/healthz"]
    assert healthz and healthz[0].value == 1.0
    metrics_server.stop()


def test_titles_with_brackets_survive_in_tables() -> None:
    from rich.console import Console

    from bot.render.terminal import findings_table, worst_items_table
    from bot.services.report import evaluate
    from connectors.item import Item
    from rules.engine import Engine

    item = Item(source="file", key="IDEA-7", title="[ios] crash on [jira] link")
    report, _ = evaluate([item], Engine())
    for table in (worst_items_table(report.unready), findings_table(report.unready)):
        console = Console(width=200, record=True)
        console.print(table)
        assert "[ios] crash on [jira] link" in console.export_text()
