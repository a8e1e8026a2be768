"""`refinery prune --dry-run` and `refinery health` on a stored backlog."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.store import open_store
from bot.store.models import PruneProposal
from tests.cli.conftest import Invoke
from tests.factories import make_item

OLD = datetime.now(UTC) - timedelta(days=400)


def config(tmp: Path, **prune: str) -> Path:
    path = tmp / "refinery.toml"
    extra = "".join(f"{key} = {value}\n" for key, value in prune.items())
    path.write_text(
        f'[store]\nurl = "sqlite:///{tmp / "r.db"}"\n[slack]\npo_users = ["UPO"]\n'
        f"[prune]\n{extra}"
        '[[teams]]\nname = "Payments"\nprojects = ["PAY"]\nsprint_capacity = 10.0\n'
    )
    return path


def seed(tmp: Path) -> None:
    store = open_store(f"sqlite:///{tmp / 'r.db'}")
    store.upsert_items(
        [
            make_item(key="PAY-1", title="Ancient idea", created=OLD, updated=OLD, rank="0|9"),
            make_item(
                key="PAY-2", title="Goal work", created=OLD, updated=OLD, parent="PAY-7", rank="0|0"
            ),
            make_item(key="PAY-3", title="Fresh", updated=datetime.now(UTC), rank="0|1"),
        ]
    )
    store.close()


def test_prune_dry_run_lists_candidates_and_stores_nothing(invoke: Invoke, tmp_path: Path) -> None:
    path = config(tmp_path)
    seed(tmp_path)
    result = invoke("prune", "--dry-run", "-c", path)
    assert result.exit_code == 0, result.output
    assert "Payments: 1 candidates for UPO" in result.stdout
    assert "PAY-1  Ancient idea" in result.stdout and "no goal" in result.stdout
    assert "PAY-2" not in result.stdout and "PAY-3" not in result.stdout  # a goal; fresh
    assert "dry run: nothing was stored or posted" in result.stdout
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(PruneProposal)) == 0
    store.close()


def test_prune_without_dry_run_needs_it_enabled(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("prune", "-c", config(tmp_path))
    assert result.exit_code == 2
    assert "Prune is off: set [prune] enabled = true" in result.stderr
    result = invoke("prune", "-c", config(tmp_path, enabled="true"))
    assert result.exit_code == 2 and "bot_token" in result.stderr


def test_health_prints_the_leanness_report(invoke: Invoke, tmp_path: Path) -> None:
    path = config(tmp_path)
    seed(tmp_path)
    result = invoke("health", "-c", path)
    assert result.exit_code == 0, result.output
    assert "3 open items by age: under 1 month: 1, over a year: 2" in result.stdout
    assert "Never touched since created: 2" in result.stdout
    # 9 points at 10 a sprint of 2 weeks: 0.9 sprints, 0.4 months.
    assert "Work in the backlog: 0.4 months (9 points at 10 points a sprint" in result.stdout
    assert "Intake, last 90 days: no decisions" in result.stdout


def test_rules_lists_every_rule_with_its_state_here(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "refinery.toml"
    path.write_text(
        "[rules.stale]\nenabled = true\ndays = 60\n[rules.missing-why]\nenabled = false\n"
    )
    result = invoke("rules", "--format", "json", "-c", path)
    assert result.exit_code == 0, result.output
    rules = {rule["id"]: rule for rule in json.loads(result.stdout)["rules"]}
    assert rules["stale"]["enabled"] is True and rules["stale"]["severity"] == "info"
    assert rules["stale"]["params"]["days"] == 60
    assert rules["missing-why"]["enabled"] is False
    assert rules["no-goal"]["enabled"] is False  # opt-in
    assert "tied to no goal" in rules["no-goal"]["explanation"]


def test_prune_history_lists_decisions(invoke: Invoke, tmp_path: Path) -> None:
    from bot.config import load_settings
    from bot.services import prune
    from bot.services.teams import teams

    path = config(tmp_path)
    seed(tmp_path)
    settings = load_settings(path)
    store = open_store(settings.store.url)
    run = prune.plan(store, settings, teams(settings))
    ids = prune.record(store, run.teams[0])
    prune.keep(store, ids[0], 0, "UPO", snooze_days=30)
    store.close()
    result = invoke("prune", "--history", "-c", path)
    assert result.exit_code == 0, result.output
    assert "Payments  PAY-1  kept by UPO" in result.stdout


def test_check_a_file_with_the_backlog_rules(invoke: Invoke, tmp_path: Path) -> None:
    import json

    from connectors.files import dump_items
    from connectors.item import Link

    items = [
        make_item(key="PAY-1", rank="0|a", links=(Link("is blocked by", "PAY-2"),)),
        make_item(key="PAY-2", rank="0|b", title="Card vault API"),
    ]
    export = tmp_path / "backlog.json"
    dump_items(items, export)
    path = tmp_path / "refinery.toml"
    path.write_text("[rules.blocked-above-blocker]\nenabled = true\n")
    result = invoke("check", export, "--format", "json", "-c", path)
    assert result.exit_code == 0, result.output
    found = [
        f for f in json.loads(result.stdout)["findings"] if f["rule"] == "blocked-above-blocker"
    ]
    assert [(f["key"], f["message"]) for f in found] == [
        ("PAY-1", "Ranked #1, above what blocks it: PAY-2 “Card vault API” (ranked #2).")
    ]


def test_explain_shows_the_backlog_rules_evidence(invoke: Invoke, tmp_path: Path) -> None:
    import json

    from connectors.files import dump_items
    from connectors.item import Link

    old = datetime(2025, 1, 6, tzinfo=UTC)
    items = [
        make_item(key="PAY-1", rank="0|a", links=(Link("is blocked by", "PAY-2"),)),
        make_item(key="PAY-2", rank="0|b", created=old, updated=old),
    ]
    export = tmp_path / "backlog.json"
    dump_items(items, export)
    path = tmp_path / "refinery.toml"
    path.write_text(
        "[rules.blocked-above-blocker]\nenabled = true\n[rules.stale]\nenabled = true\n"
    )
    result = invoke("check", export, "--format", "json", "--explain", "-c", path)
    assert result.exit_code == 0, result.output
    verdicts = {
        (doc["key"], v["rule"]): v
        for doc in json.loads(result.stdout)["evaluated"]
        for v in doc["verdicts"]
    }
    assert verdicts[("PAY-1", "blocked-above-blocker")]["evidence"] == "is blocked by PAY-2"
    assert verdicts[("PAY-1", "blocked-above-blocker")]["passed"] is False
    assert verdicts[("PAY-2", "stale")]["evidence"] == "last human update 2025-01-06"
    assert verdicts[("PAY-2", "blocked-above-blocker")]["reason"] == "no blocking links"
