"""`refinery comment [--source S] [--dry-run]` end to end, with `responses` as Jira."""

from __future__ import annotations

from pathlib import Path

import responses
import typer
from typer.testing import CliRunner

from bot.cli.main import _register, app
from bot.store import open_store
from tests.comments.trackers import JIRA_URL
from tests.factories import make_item
from tests.fakes.jira import FakeJira

VAGUE = "Add a button."


def cli_app() -> typer.Typer:
    if "comment" not in {info.name for info in app.registered_commands}:
        _register()
    return app


def write_config(path: Path, enabled: bool) -> Path:
    config = path / "refinery.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{path / "r.db"}"\n'
        f'[jira]\nurl = "{JIRA_URL}"\ndeployment = "cloud"\nprojects = ["PAY"]\n'
        f"[comments]\nenabled = {str(enabled).lower()}\nmax_per_run = 1\n"
    )
    store = open_store(f"sqlite:///{path / 'r.db'}")
    store.upsert_items(
        [make_item(key=f"PAY-{n}", description=VAGUE, estimate=None) for n in (1, 2)]
    )
    store.close()
    return config


def test_dry_run_prints_the_plan_and_sends_nothing(tmp_path: Path, clean_env: Path) -> None:
    config = write_config(tmp_path, enabled=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        jira = FakeJira(rsps, site=JIRA_URL)
        result = CliRunner().invoke(cli_app(), ["comment", "--dry-run", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "would comment on jira:PAY-1 (missing-why, missing-outcome, missing-estimate)" in (
        result.output
    )
    assert "2 planned" in result.output and jira.calls == []


def test_disabled_without_dry_run_refuses(tmp_path: Path, clean_env: Path) -> None:
    config = write_config(tmp_path, enabled=False)
    result = CliRunner().invoke(cli_app(), ["comment", "-c", str(config)])
    assert result.exit_code == 2 and "enabled = true" in result.output


def test_a_real_run_spends_its_budget_and_says_what_waits(tmp_path: Path, clean_env: Path) -> None:
    config = write_config(tmp_path, enabled=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        jira = FakeJira(rsps, site=JIRA_URL)
        result = CliRunner().invoke(
            cli_app(),
            ["comment", "--source", "jira", "-c", str(config)],
        )
    assert result.exit_code == 0, result.output
    assert "comment on jira:PAY-1 (missing-why" in result.output
    assert "1 written, 1 carried to the next run" in result.output
    assert [call.method for call in jira.writes] == ["POST"]
