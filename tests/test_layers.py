"""Import rules between layers, checked on the source text (no module is imported)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (function-level and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from bot import slack` imports bot.slack as surely as `import bot.slack`
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _is_slack(module: str) -> bool:
    return module == "bot.slack" or module.startswith("bot.slack.")


def test_services_never_import_the_slack_layer() -> None:
    """Services return data; bot/slack (or bot/render) turns it into Slack messages."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(filter(_is_slack, imported_modules(path)))
        for path in sorted((ROOT / "bot" / "services").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_layer_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    """The check above can fail: each way of importing bot.slack is caught."""
    for source in (
        "import bot.slack.blocks\n",
        "from bot.slack import blocks\n",
        "from bot import slack\n",
        "def late():\n    from bot.slack.people import People\n",
        "if TYPE_CHECKING:\n    from bot.slack.app import Runtime\n",
    ):
        path = tmp_path / "module.py"
        path.write_text(source, encoding="utf-8")
        assert any(map(_is_slack, imported_modules(path))), source
    (tmp_path / "module.py").write_text("import bot.slackish\n", encoding="utf-8")
    assert not any(map(_is_slack, imported_modules(tmp_path / "module.py")))
