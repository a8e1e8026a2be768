"""`refinery remind --dry-run` prints the agenda; `refinery outcomes` and `refinery health`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.services.agenda import QUESTIONS
from bot.services.outcomes import Outcomes
from bot.store import open_store
from tests.cli.conftest import Invoke
from tests.factories import make_item


def demo_config(invoke: Invoke, root: Path) -> Path:
    data = root / "demo-data"
    assert invoke("demo", "--data-dir", data).exit_code == 0
    config = root / "refinery.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{data / "refinery-demo.db"}"\n')
    return config


def test_remind_dry_run_on_the_demo_data_prints_an_agenda(invoke: Invoke, clean_env: Path) -> None:
    config = demo_config(invoke, clean_env)
    result = invoke("remind", "--dry-run", "-c", config)
    assert result.exit_code == 0, result.output
    text = result.stdout.split("Refinement agenda — backlog (channel not set)", 1)[1]
    entries = re.findall(r"^\s*(\d+)\. (\S+) .*\n\s+Q: (.+)$", text, re.MULTILINE)
    assert [int(n) for n, _, _ in entries] == list(range(1, 11))  # refinement_items = 10
    assert all(question in QUESTIONS.values() for _, _, question in entries)
    assert "PAY-127" in {key for _, key, _ in entries}  # the untouched template
    assert "Dependencies among them:\n  PAY-120 is a child of PAY-102" in text
    blocks = json.loads(result.stdout.split("\n", 1)[1].split("\nRefinement agenda", 1)[0])
    assert blocks["blocks"][0]["text"]["text"] == "Refinement agenda — backlog"


def test_outcomes_lists_reviews_and_health_shows_the_counts(
    invoke: Invoke, clean_env: Path
) -> None:
    url = f"sqlite:///{clean_env / 'refinery.db'}"
    config = clean_env / "refinery.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[slack]\npo_users = ["UPO"]\n')
    from bot.config import load_settings
    from rules.engine import Engine

    store = open_store(url)
    settings = load_settings(config)
    outcomes = Outcomes(store, Engine(), settings)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    outcomes.record_done(start)
    done = [
        make_item(
            key="PAY-1",
            text="Cut refund tickets by 30%.",
            status_category="done",
            updated=start + timedelta(days=1),
        ),
        make_item(key="PAY-2", text="Because it is asked.", status_category="done", updated=start),
    ]
    store.upsert_items(done)
    outcomes.record_done(start + timedelta(days=2))
    store.close()

    listed = invoke("outcomes", "--format", "json", "-c", config)
    assert listed.exit_code == 0, listed.output
    team = json.loads(listed.stdout)["teams"][0]
    assert (team["team"], team["done"], team["outputs"], team["waiting"]) == ("backlog", 2, 1, 1)
    assert [r["key"] for r in team["reviews"]] == ["PAY-1"]
    assert team["reviews"][0]["target"] == "Cut refund tickets by 30%."
    assert team["reviews"][0]["due_at"].startswith("2026-10-02")
    table = invoke("outcomes", "-c", config)
    assert "outcomes reviewed: 0, moved: 0; outputs: 50% of 2 done items" in table.stdout
    health = invoke("health", "-c", config)
    assert health.exit_code == 0, health.output
    assert "outcomes reviewed: 0, moved: 0" in health.stdout
    unknown = invoke("outcomes", "--team", "nope", "-c", config)
    assert unknown.exit_code == 2 and "no team 'nope'" in unknown.output
