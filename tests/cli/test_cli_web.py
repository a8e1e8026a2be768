"""`refinery web link` and the [web] checks `refinery serve` makes before it starts."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.config import load_settings
from bot.pages.access import ALL, token, valid
from tests.cli.conftest import Invoke

CONFIG = """
[web]
enabled = true
base_url = "https://refinery.example.com/"

[[teams]]
name = "payments"
projects = ["PAY"]
"""


def write(tmp: Path, text: str = CONFIG) -> Path:
    path = tmp / "refinery.toml"
    path.write_text(text)
    return path


def test_link_prints_a_signed_team_link(invoke: Invoke, tmp_path: Path) -> None:
    config = write(tmp_path)
    env = {"REFINERY_WEB__SECRET": "s3cret-value"}
    result = invoke("web", "link", "payments", "--config", config, env=env)
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("https://refinery.example.com/web/t/payments/v1.")
    assert "s3cret-value" not in result.output
    given = link.rstrip("/").rsplit("/", 1)[1]
    settings = load_settings(config)
    settings.web.secret = SecretStr("s3cret-value")
    assert valid(settings, "payments", given) and not valid(settings, ALL, given)
    every = invoke("web", "link", "--all", "--config", config, env=env)
    assert every.exit_code == 0 and "/web/all/" + token("s3cret-value", 1, ALL) in every.stdout


def test_link_errors_are_one_line_and_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    config = write(tmp_path)
    no_secret = invoke("web", "link", "payments", "--config", config)
    assert no_secret.exit_code == 2 and "web.secret is not set" in no_secret.output
    env = {"REFINERY_WEB__SECRET": "x"}
    unknown = invoke("web", "link", "nope", "--config", config, env=env)
    assert unknown.exit_code == 2 and "no team 'nope'" in unknown.output
    neither = invoke("web", "link", "--config", config, env=env)
    assert neither.exit_code == 2 and "Name a team" in neither.output


def test_serve_refuses_pages_without_a_way_in(invoke: Invoke, tmp_path: Path) -> None:
    config = write(tmp_path)
    result = invoke("serve", "--config", config)
    assert result.exit_code == 2
    assert "needs web.secret" in result.output and "Traceback" not in result.output
