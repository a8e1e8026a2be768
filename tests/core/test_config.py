from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, masked


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "refinery.toml"
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REFINERY_CONFIG", raising=False)


def test_no_file_means_defaults() -> None:
    settings = load_settings()
    assert settings.store.url == "sqlite:///refinery.db"
    assert settings.jira.page_size == 100
    assert settings.path is None


def test_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_unknown_key_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[jira]\nurl = "https://x.atlassian.net"\napi_tokn = "s3cret"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert "jira.api_tokn" in message and str(path) in message
    assert "s3cret" not in message


def test_unknown_section_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown key 'jiraa'"):
        load_settings(write(tmp_path, "[jiraa]\nurl = 'x'\n"))


def test_bad_value_names_key_without_echoing_it(tmp_path: Path) -> None:
    path = write(tmp_path, "[jira]\npage_size = 500\n[slack]\nsigning_secret = 3\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "jira.page_size" in str(info.value) and "slack.signing_secret" in str(info.value)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[jira\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_environment_overlays_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[jira]\nurl = "https://a.atlassian.net"\nprojects = ["PAY"]\n')
    monkeypatch.setenv("REFINERY_JIRA__URL", "https://b.atlassian.net")
    monkeypatch.setenv("REFINERY_JIRA__API_TOKEN", "tok-123")
    settings = load_settings(path)
    assert settings.jira.url == "https://b.atlassian.net"
    assert settings.jira.projects == ["PAY"]  # deep-merged, not replaced
    assert settings.jira.api_token is not None
    assert settings.jira.api_token.get_secret_value() == "tok-123"


def test_env_typo_is_reported_as_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFINERY_JIRA__API_TOKN", "x")
    with pytest.raises(ConfigError, match="REFINERY_JIRA__API_TOKN"):
        load_settings()


def test_refinery_config_env_picks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, '[store]\nurl = "sqlite:///other.db"\n')
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    monkeypatch.setenv("REFINERY_CONFIG", str(path))
    assert load_settings().store.url == "sqlite:///other.db"


def test_masked_hides_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "JIRA__API_TOKEN",
        "GITHUB__TOKEN",
        "SLACK__BOT_TOKEN",
        "SLACK__SIGNING_SECRET",
        "SLACK__APP_TOKEN",
        "JIRA__WEBHOOK_SECRET",
        "GITHUB__WEBHOOK_SECRET",
    ):
        monkeypatch.setenv(f"REFINERY_{name}", f"secret-{name}")
    dumped = repr(masked(load_settings()))
    assert "secret-" not in dumped
    assert dumped.count("**********") == 7


def test_rule_config_is_validated(tmp_path: Path) -> None:
    path = write(tmp_path, '[rules.missing-why]\nseverty = "error"\n')
    with pytest.raises(ConfigError, match=r"rules\.missing-why\.severty"):
        load_settings(path)
    with pytest.raises(ConfigError, match=r"unknown rule 'rules\.missing-whyy'"):
        load_settings(write(tmp_path, "[rules.missing-whyy]\nenabled = false\n"))


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    settings = load_settings(example)
    assert settings.path == example
