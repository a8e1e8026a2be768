"""A leader whose lock connection is killed runs no further job; no tick runs twice."""

from __future__ import annotations

import pytest

from bench.faults.leader_kill import run
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


def test_killing_the_leaders_lock_connection_never_runs_a_tick_twice(pg_schema: str) -> None:
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    outcome = run(f"{url}?options=-csearch_path%3D{pg_schema}", PG_URL, kills=5)
    assert outcome.kills == 5
    assert outcome.elections >= 6  # the first, then one after each kill
    assert len(outcome.runs) >= 5, outcome.line()
    assert outcome.duplicates == 0, outcome.line()
    # Both replicas led at some point (the fast standby takes over from the slow leader).
    assert {replica for _, replica in outcome.runs} == {"a", "b"}, outcome.line()
