"""On PostgreSQL several replicas work one inbox: concurrent claims never share a delivery."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from bot.store import open_store
from bot.store.inbox import Delivery, Inbox
from tests.conftest import PG_URL

pytestmark = pytest.mark.postgres


def test_replicas_claiming_at_once_take_disjoint_deliveries(pg_schema: str) -> None:
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    store = open_store(f"{url}?options=-csearch_path%3D{pg_schema}")
    try:
        seed = Inbox(store, "seed:1:a", timedelta(minutes=2))
        for n in range(200):
            assert seed.add("jira", f"jira:d{n}", b"{}")
        assert not seed.add("jira", "jira:d0", b"{}")  # a redelivery is refused by its id
        taken: dict[str, list[Delivery]] = {}
        start = threading.Barrier(4)

        def replica(name: str) -> None:
            inbox = Inbox(store, f"{name}:1:x", timedelta(minutes=2))
            mine: list[Delivery] = []
            start.wait()
            while batch := inbox.claim(7):
                mine += batch
            taken[name] = mine

        threads = [threading.Thread(target=replica, args=(f"r{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        ids = [d.delivery_id for batch in taken.values() for d in batch]
        assert len(ids) == 200 and len(set(ids)) == 200  # every delivery once, none twice
        assert sum(bool(batch) for batch in taken.values()) >= 2  # the work was shared
        assert seed.counts() == {"pending": 200}  # claimed, not done: a lease, not a verdict
    finally:
        store.close()
