"""Shared pytest fixtures: paths to the copied recorded payloads and an isolated environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    """The repository's copies of recorded payloads (tests/fixtures/<source>/)."""
    return FIXTURES


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Run in an empty directory with no REFINERY_* variables, so no real config leaks in."""
    import os

    for name in list(os.environ):
        if name.startswith("REFINERY_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
