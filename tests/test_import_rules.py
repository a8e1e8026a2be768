"""The import rules each layer keeps (ARCHITECTURE.md, "Layers"), checked by import-linter.

The contracts live in pyproject.toml ([tool.importlinter]); this test runs them, so a new
import that breaks a layer or closes a cycle fails the suite with the offending line named.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_the_project_keeps_its_import_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 broken" in out and "Contracts: 4 kept" in out, out


def test_the_checker_fails_on_a_cycle_and_a_forbidden_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same contract types on a throwaway package that breaks both: proof the check can fail.
    package = tmp_path / "demo_layers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("from demo_layers import high\n")
    (package / "high.py").write_text("from demo_layers import low\n")
    config = tmp_path / "contracts.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_packages = ["demo_layers"]

            [[tool.importlinter.contracts]]
            name = "layers"
            type = "layers"
            layers = ["demo_layers.high", "demo_layers.low"]

            [[tool.importlinter.contracts]]
            name = "acyclic"
            type = "acyclic_siblings"
            ancestors = ["demo_layers"]
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "demo_layers", raising=False)
    code = lint_imports(config_filename=str(config), no_cache=True)
    out = capsys.readouterr().out
    assert code == 1
    assert "demo_layers.low -> demo_layers.high" in out
    assert "2 broken" in out
