"""Shared pytest fixtures: recorded payloads, an isolated environment, a PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_URL = os.environ.get("REFINERY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_reachable(url: str = PG_URL) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A schema of its own on the test server, dropped afterwards. Skips without a server,
    except under CI, where these tests must run."""
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}, and CI needs it")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}; these tests run in CI")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


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
