from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store, open_store
from tests.conftest import PG_URL


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    yield store
    store.close()


@pytest.fixture
def pg_store(pg_schema: str) -> Iterator[Store]:
    """A store on the real PostgreSQL server, in a schema of its own."""
    store = open_store(f"{PG_URL}?options=-csearch_path%3D{pg_schema}")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Store:
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    value: Store = request.getfixturevalue(name)
    return value
