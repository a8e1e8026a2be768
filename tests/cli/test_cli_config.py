"""`refinery config check`: secrets stay masked; a typo names the key and the file."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke


def test_config_check_masks_secrets(invoke: Invoke) -> None:
    env = {"REFINERY_JIRA__API_TOKEN": "supersecret", "REFINERY_SLACK__BOT_TOKEN": "xoxb-secret-1"}
    result = invoke("config", "check", env=env)
    assert result.exit_code == 0, result.output
    assert "Configuration is valid" in result.output
    assert "api_token" in result.output
    assert "supersecret" not in result.output
    assert "xoxb-secret-1" not in result.output


def test_typo_in_toml_names_key_and_file(invoke: Invoke, clean_env: Path) -> None:
    config = clean_env / "refinery.toml"
    config.write_text('[jira]\nurl = "https://x.atlassian.net"\napi_tokn = "supersecret"\n')
    result = invoke("config", "check", "--config", config)
    assert result.exit_code == 2
    assert "jira.api_tokn" in result.stderr
    assert str(config) in result.stderr
    assert "supersecret" not in result.output


def test_typo_in_default_file_is_found_too(invoke: Invoke, clean_env: Path) -> None:
    (clean_env / "refinery.toml").write_text("[store]\nulr = 'sqlite:///x.db'\n")
    result = invoke("check", "--format", "json", Path(__file__))
    assert result.exit_code == 2
    assert "store.ulr" in result.stderr
    assert "refinery.toml" in result.stderr
