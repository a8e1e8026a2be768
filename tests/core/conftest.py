from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bot.store import Store, open_store

PG_URL = os.environ.get("REFINERY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_reachable(url: str = PG_URL) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    yield store
    store.close()


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A store on the real PostgreSQL server, in a schema of its own, dropped afterwards."""
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}, and CI needs it")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}; these tests run in CI")
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    store = open_store(f"{PG_URL}?options=-csearch_path%3D{schema}")
    try:
        yield store
    finally:
        store.close()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest) -> Store:
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    value: Store = request.getfixturevalue(name)
    return value
