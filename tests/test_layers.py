"""Import rules between the layers, checked on the source files themselves."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_ALLOWED = ("bot/store/", "bot/migrations/")


def _imports(path: Path) -> set[str]:
    """Every module a file imports (top level or inside functions), by its full dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_only_the_store_and_the_migrations_import_sqlalchemy() -> None:
    offenders = []
    for package in ("bot", "connectors", "rules"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(SQL_ALLOWED):
                continue
            if any(m == "sqlalchemy" or m.startswith("sqlalchemy.") for m in _imports(path)):
                offenders.append(name)
    assert offenders == [], f"SQL belongs in bot/store/: {offenders}"


def test_only_the_store_reads_orm_rows() -> None:
    offenders = []
    for package in ("bot", "connectors", "rules"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if not name.startswith(SQL_ALLOWED) and "bot.store.models" in _imports(path):
                offenders.append(name)
    assert offenders == [], f"the store returns frozen records, not its models: {offenders}"
