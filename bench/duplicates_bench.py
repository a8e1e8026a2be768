"""Time duplicate suggestions for one request on a 100,000-item store, SQLite and PostgreSQL.

    .venv/bin/python bench/duplicates_bench.py [--items 100000] [--queries 200]
        [--postgres postgresql://postgres@127.0.0.1:5432/test]

The store is filled with items made from the real reports in bench/data/duplicate_pairs.json
(each title gets a word of another report and a number, each body is a real one), so words
are as common as in a real tracker, only more so. Requests are real reports too. Side by side
in the same run: the naive way, scoring every stored item in Python, for a few requests.
`--write-cost` instead stores the same items with the index's triggers dropped, to show what
keeping the index costs a sync.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from bot.services.duplicates import DuplicateFinder, profile, similarity
from bot.store import Store, open_store
from bot.store.models import ItemRow
from connectors.item import Item

DATA = Path(__file__).resolve().parent / "data" / "duplicate_pairs.json"


def reports() -> list[dict[str, str]]:
    data = json.loads(DATA.read_text())
    return [entry for dataset in data["sets"] for entry in dataset["items"]]


def fill(store: Store, count: int, rng: random.Random) -> float:
    pool = reports()
    started = time.perf_counter()
    batch: list[Item] = []
    for n in range(count):
        entry, other = rng.choice(pool), rng.choice(pool)
        extra = rng.choice(other["title"].split() or ["x"])
        batch.append(
            Item(
                source="jira",
                key=f"BIG-{n}",
                title=f"{entry['title']} {extra} {n}",
                text=entry["body"],
                kind="bug",
                project="BIG",
                url=f"https://example.atlassian.net/browse/BIG-{n}",
            )
        )
        if len(batch) == 1000:
            store.upsert_items(batch)
            batch = []
    if batch:
        store.upsert_items(batch)
    return time.perf_counter() - started


def naive(store: Store, title: str, body: str) -> list[tuple[float, str]]:
    """Every stored item scored in Python: what the database's index saves."""
    wanted = profile(title, body)
    scored = []
    with store.session() as session:
        for key, found_title, data in session.execute(
            select(ItemRow.key, ItemRow.title, ItemRow.data).where(ItemRow.gone_at.is_(None))
        ):
            scored.append((similarity(wanted, profile(found_title, data.get("text", ""))), key))
    return sorted(scored, reverse=True)[:3]


def drop_index_triggers(store: Store) -> None:
    """What storing costs without the full-text index: the same store, its triggers gone."""
    from sqlalchemy import text

    with store.engine.begin() as connection:
        if store.is_postgres:
            connection.execute(text("DROP TRIGGER items_search_keep ON items"))
        else:
            for name in ("items_fts_insert", "items_fts_update", "items_fts_delete"):
                connection.execute(text(f"DROP TRIGGER {name}"))


def run(name: str, url: str, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    store = open_store(url)
    try:
        if args.write_cost:
            drop_index_triggers(store)
            took = fill(store, args.items, rng)
            print(f"{name}: {args.items} items stored in {took:.1f} s without the index")
            return
        took = fill(store, args.items, rng)
        print(f"{name}: {args.items} items stored in {took:.1f} s (index kept by the database)")
        finder = DuplicateFinder(store)
        queries = rng.sample(reports(), args.queries)
        finder.suggest(queries[0]["title"], queries[0]["body"])  # warm the connection pool
        times = []
        for entry in queries:
            started = time.perf_counter()
            finder.suggest(entry["title"], entry["body"])
            times.append(1000 * (time.perf_counter() - started))
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{name}: suggest() for one request: median {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({len(times)} requests)"
        )
        naive_times = []
        for entry in queries[: args.naive]:
            started = time.perf_counter()
            naive(store, entry["title"], entry["body"])
            naive_times.append(1000 * (time.perf_counter() - started))
        print(
            f"{name}: naive (score every item in Python): median "
            f"{statistics.median(naive_times):.0f} ms ({len(naive_times)} requests)"
        )
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--naive", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", default=None)
    parser.add_argument(
        "--write-cost", action="store_true", help="only time storing the items without the index"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.db", args)
    if args.postgres:
        import psycopg

        schema = f"dupbench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        try:
            run("postgresql", f"{args.postgres}?options=-csearch_path%3D{schema}", args)
        finally:
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
