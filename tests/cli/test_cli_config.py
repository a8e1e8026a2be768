"""`refinery config check`: secrets stay masked; a typo names the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke


def test_config_check_masks_secrets(invoke: Invoke) -> None:
    env = {
        "REFINERY_JIRA__API_TOKEN": "supersecret",
        "REFINERY_SLACK__BOT_TOKEN": "xoxb-secret-1",
        "REFINERY_SLACK__SIGNING_SECRET": "signing-secret-1",
    }
    result = invoke("config", "check", "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    assert '"api_token": "**********"' in result.output
    assert "supersecret" not in result.output
    assert "xoxb-secret-1" not in result.output
    assert "signing-secret-1" not in result.output


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


def test_default_is_a_short_summary_of_each_part(invoke: Invoke) -> None:
    env = {"REFINERY_GITHUB__REPOS": "acme/api", "REFINERY_GITHUB__TOKEN": "ghp_secret"}
    result = invoke("config", "check", env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) < 15
    assert "  GitHub: acme/api; token set" in lines
    assert "  Jira: not configured (set [jira] url and projects or jql)" in lines
    assert any(line.startswith("  Slack: off, set REFINERY_SLACK__BOT_TOKEN") for line in lines)
    assert "ghp_secret" not in result.output


CAUGHT = [
    ('[schedule]\ndigest = "0 25 * * mon"\n', "schedule.digest", "cron"),
    ('[schedule]\nsync = "*/15 * * *"\n', "schedule.sync", "5 fields"),
    ('[schedule]\ntimezone = "Europe/Pariss"\n', "schedule.timezone", "IANA"),
    ("[slack]\nsocket_mode = true\n", "slack.socket_mode", "REFINERY_SLACK__APP_TOKEN"),
    ('[github]\nrepos = ["acme"]\n', "github.repos.0", "OWNER/NAME"),
    ('[jira]\nurl = "acme.atlassian.net"\nprojects = ["PAY"]\n', "jira.url", "https://"),
    ('[store]\nurl = "mysql://db/refinery"\n', "store.url", "mysql"),
    ('[comments.templates]\nwhy = " "\n', "comments.templates.why", "empty"),
]


@pytest.mark.parametrize(("toml", "key", "says"), CAUGHT, ids=[c[1] for c in CAUGHT])
def test_config_check_catches_what_fails_later(
    invoke: Invoke, clean_env: Path, toml: str, key: str, says: str
) -> None:
    config = clean_env / "refinery.toml"
    config.write_text(toml)
    # Secrets that the checked part would need, so only the mistake under test is reported.
    env = {"REFINERY_SLACK__BOT_TOKEN": "xoxb-1", "REFINERY_GITHUB__TOKEN": "t"}
    env["REFINERY_JIRA__API_TOKEN"] = env["REFINERY_SLACK__SIGNING_SECRET"] = "t"
    result = invoke("config", "check", "--config", config, env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"'{key}'" in lines[0] and says in lines[0] and str(config) in lines[0]
    assert "Traceback" not in result.output


def test_cloud_email_without_token(invoke: Invoke) -> None:
    env = {
        "REFINERY_JIRA__URL": "https://acme.atlassian.net",
        "REFINERY_JIRA__EMAIL": "po@acme.test",
        "REFINERY_JIRA__PROJECTS": "PAY",
    }
    result = invoke("config", "check", env=env)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Configuration error: REFINERY_JIRA__EMAIL: 'jira.email': is set but "
        "REFINERY_JIRA__API_TOKEN is not (Cloud needs both)"
    ]


def test_json_format_has_problems_and_settings(invoke: Invoke) -> None:
    result = invoke("config", "check", "-f", "json", env={"REFINERY_SCHEDULE__TIMEZONE": "Mars"})
    assert result.exit_code == 2
    import json

    document = json.loads(result.stdout)
    assert document["valid"] is False
    assert [p["key"] for p in document["problems"]] == ["schedule.timezone"]
    assert document["settings"]["schedule"]["timezone"] == "Mars"


def test_example_config_shows_the_real_defaults() -> None:
    """Uncommenting config.example.toml changes nothing: every value it shows is the default."""
    import tomllib

    from bot.config import Settings, load_settings
    from rules.builtin.missing_estimate import DEFAULT_LABEL_PATTERNS
    from rules.engine import load_builtin_rules

    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    loaded = load_settings(example).model_dump()
    defaults = Settings().model_dump()
    shown = tomllib.loads(example.read_text())

    for section, table in shown.items():
        if section == "rules":
            continue
        for key in table:
            assert loaded[section][key] == defaults[section][key], f"{section}.{key}"
    registry = load_builtin_rules()
    for rule_id, table in shown["rules"].items():
        assert table.get("severity", registry[rule_id].severity) == registry[rule_id].severity
    # The commented-out label_patterns list is the rule's full default list.
    text = example.read_text()
    block = text[text.index("# label_patterns = [") :].split("# ]", 1)[0] + "# ]"
    commented = "\n".join(line.removeprefix("#").strip() for line in block.splitlines())
    assert tomllib.loads(commented)["label_patterns"] == DEFAULT_LABEL_PATTERNS


def test_every_default_estimate_label_counts_as_points() -> None:
    from bot.config import GithubConfig
    from connectors.estimates import EstimateLabels
    from rules.builtin.missing_estimate import DEFAULT_LABEL_PATTERNS

    github = GithubConfig()
    points = EstimateLabels(github.estimate_labels, github.size_points)
    for pattern in DEFAULT_LABEL_PATTERNS:
        label = pattern.replace("{n}", "3").replace("{size}", "M")
        assert points([label]) == 3.0, label
