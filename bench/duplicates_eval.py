"""Measure duplicate suggestions on real duplicate pairs (bench/data/duplicate_pairs.json).

    .venv/bin/python bench/duplicates_eval.py [--threshold 0.3] [--sweep] [--postgres URL]

For each tracker in the data file, every report goes into a fresh store (SQLite, or a
PostgreSQL schema of its own with --postgres). Then, as if each report arrived at intake:
- recall@3: for the later report of each real duplicate pair, is the earlier one (or another
  report of the same duplicate group) among the up-to-3 suggestions?
- false-suggestion rate: for reports in no pair and not resolved as duplicates, how often is
  anything suggested at all; and, of all suggestions shown for duplicates, how many are wrong.
The report itself is never suggested. --sweep prints these for a range of thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.services.duplicates import DuplicateFinder
from bot.store import Store, open_store
from connectors.item import Item

DATA = Path(__file__).resolve().parent / "data" / "duplicate_pairs.json"


@dataclass
class Scores:
    name: str
    threshold: float
    pairs: int
    hits: int
    nondup_queries: int
    nondup_flagged: int
    shown_for_dups: int
    wrong_for_dups: int

    def line(self) -> str:
        recall = 100.0 * self.hits / self.pairs
        false_rate = 100.0 * self.nondup_flagged / self.nondup_queries
        wrong = 100.0 * self.wrong_for_dups / self.shown_for_dups if self.shown_for_dups else 0.0
        return (
            f"{self.name:<18} t={self.threshold:.2f} recall@3 {recall:5.1f}% "
            f"({self.hits}/{self.pairs}) | non-duplicates given a suggestion "
            f"{false_rate:5.1f}% ({self.nondup_flagged}/{self.nondup_queries}) | "
            f"wrong suggestions for duplicates {wrong:4.1f}% "
            f"({self.wrong_for_dups}/{self.shown_for_dups})"
        )


def groups(pairs: list[list[str]]) -> dict[str, set[str]]:
    """Each report -> every report of its duplicate group (connected pairs)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    members: dict[str, set[str]] = {}
    for x in list(parent):
        members.setdefault(find(x), set()).add(x)
    return {x: members[find(x)] for x in parent}


def load_store(url: str, dataset: dict[str, Any]) -> Store:
    store = open_store(url)
    store.upsert_items(
        Item(
            source="jira",
            key=entry["id"],
            title=entry["title"],
            text=entry["body"],
            kind="bug",
            project=dataset["name"],
        )
        for entry in dataset["items"]
    )
    return store


def evaluate(store: Store, dataset: dict[str, Any], thresholds: list[float]) -> list[Scores]:
    by_id = {entry["id"]: entry for entry in dataset["items"]}
    group = groups(dataset["pairs"])
    finder = DuplicateFinder(store, threshold=0.0, limit=3)
    # Suggestions at threshold 0 once per query; each threshold then filters them.
    dup_found = {
        query: finder.suggest(by_id[query]["title"], by_id[query]["body"], exclude=[query])
        for query, _ in dataset["pairs"]
    }
    plain = [e["id"] for e in dataset["items"] if e["id"] not in group and not e["duplicate"]]
    plain_found = {
        q: finder.suggest(by_id[q]["title"], by_id[q]["body"], exclude=[q]) for q in plain
    }
    results = []
    for threshold in thresholds:
        hits = shown = wrong = 0
        for query, _original in dataset["pairs"]:
            kept = [s for s in dup_found[query] if s.score >= threshold]
            hits += any(s.key in group[query] for s in kept)
            shown += len(kept)
            wrong += sum(s.key not in group[query] for s in kept)
        flagged = sum(any(s.score >= threshold for s in found) for found in plain_found.values())
        results.append(
            Scores(
                dataset["name"],
                threshold,
                len(dataset["pairs"]),
                hits,
                len(plain),
                flagged,
                shown,
                wrong,
            )
        )
    return results


def store_urls(postgres: str | None, tmp: Path) -> list[tuple[str, str]]:
    urls = [("sqlite", f"sqlite:///{tmp / 'dups.db'}")]
    if postgres:
        urls.append(("postgresql", postgres))
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=None, help="default: the config's")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--postgres", default=None, help="also run on this PostgreSQL database")
    args = parser.parse_args()
    from bot.config import DuplicatesConfig

    threshold = DuplicatesConfig().threshold if args.threshold is None else args.threshold
    thresholds = [round(0.05 * n, 2) for n in range(1, 15)] if args.sweep else [threshold]
    data = json.loads(DATA.read_text())
    for dataset in data["sets"]:
        print(f"# {dataset['name']}: {dataset['tracker']}")
        print(f"#   from {dataset['source']['repository']} @ {dataset['source']['commit'][:10]}")
        for backend, base in store_urls(args.postgres, Path(tempfile.mkdtemp())):
            url = base
            if backend == "postgresql":
                url = _fresh_schema(base)
            else:
                url = base.replace("dups.db", f"{dataset['name']}.db")
            store = load_store(url, dataset)
            try:
                for scores in evaluate(store, dataset, thresholds):
                    print(f"{backend:<10} {scores.line()}")
            finally:
                store.close()
                if backend == "postgresql":
                    _drop_schema(base, url)


def _fresh_schema(url: str) -> str:
    import psycopg

    schema = f"dup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _drop_schema(base: str, url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
