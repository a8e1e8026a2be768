"""`refinery demo`: the offline pipeline runs end to end and leaves nothing behind by default."""

from __future__ import annotations

from pathlib import Path

from bot.store import open_store
from tests.cli.conftest import Invoke


def test_demo_prints_the_report_and_previews(invoke: Invoke, clean_env: Path) -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Imported 25 jira items" in out
    assert "Imported 20 github items" in out
    assert "2 pull requests skipped" in out
    assert "Backlog health (demo)" in out
    assert "39 open items" in out
    assert "% ready" in out or "ready (" in out
    for rule_id in ("missing-why", "missing-outcome", "missing-estimate"):
        assert rule_id in out
    assert "Worst items" in out
    assert "PAY-127" in out  # the untouched template fails all three rules
    assert "Slack digest preview" in out
    # The comment goes to the worst GitHub item: an issue form left as `_No response_`.
    assert "Ticket comment preview: acme/mobile-app#229" in out
    assert "not ready" in out.split("Ticket comment preview", 1)[1]
    assert not list(clean_env.iterdir())  # temporary store removed


def test_demo_keeps_its_store_in_data_dir(invoke: Invoke, clean_env: Path) -> None:
    data = clean_env / "demo-data"
    assert invoke("demo", "--data-dir", data).exit_code == 0
    # A second run starts fresh instead of piling onto the first.
    assert invoke("demo", "--data-dir", data).exit_code == 0
    store = open_store(f"sqlite:///{data / 'refinery-demo.db'}")
    assert store.count_items() == 45
    assert store.open_findings()
    store.close()
