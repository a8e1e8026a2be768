"""An empty comment template is a setup mistake named at config check, not a rejected comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.mark.parametrize("name", ["header", "ready", "why", "outcome", "estimate"])
def test_an_empty_comment_template_is_refused_naming_key_and_file(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "refinery.toml"
    path.write_text(f'[comments.templates]\n{name} = "  "\n')
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert str(path) in message and f"comments.templates.{name}" in message
    assert "must not be empty" in message


def test_a_filled_template_loads(tmp_path: Path) -> None:
    path = tmp_path / "refinery.toml"
    path.write_text('[comments.templates]\nheader = "Not ready yet."\n')
    assert load_settings(path).comments.templates.header == "Not ready yet."
