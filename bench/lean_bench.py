"""Benchmark the lean rules on a backlog with links, and `refinery prune --dry-run` on a store.

Run: .venv/bin/python bench/lean_bench.py [--items 100000] [--store-items 10000] [--seed 7]

Side by side in one run:
- rules: the five lean rules (and all eight rules) over N items with one Backlog built once
  per batch, against the naive way a rule without batch context must work: scanning the item
  list for each blocker and sorting the project to find an item's place (timed on a sample,
  extrapolated to N);
- prune: `refinery prune --dry-run` end to end (a subprocess: interpreter start, store read,
  candidates) on a SQLite store of --store-items items, and the in-process candidate search.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.item import Item, Link, Person
from rules.backlog import Backlog
from rules.engine import REGISTRY, Engine, load_builtin_rules

LEAN = ("no-goal", "blocked-above-blocker", "stale", "oversized", "low-value-near-top")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
PROJECTS = ("PAY", "WEB", "OPS", "APP", "DATA")


def backlog_items(n: int, seed: int) -> list[Item]:
    """N items over five projects: ranks, 40% with a parent epic, 20% blocked by another item,
    10% goal-labelled, estimates 1-21, priorities, updates spread over two years."""
    rng = random.Random(seed)
    items: list[Item] = []
    for i in range(n):
        project = PROJECTS[i % len(PROJECTS)]
        key = f"{project}-{i}"
        links: tuple[Link, ...] = ()
        if i > 10 and rng.random() < 0.2:
            other = rng.randrange(i)
            links = (Link("is blocked by", f"{PROJECTS[other % len(PROJECTS)]}-{other}"),)
        created = NOW - timedelta(days=rng.randint(1, 900))
        updated = created + timedelta(days=rng.randint(0, max(0, (NOW - created).days)))
        text = "## Acceptance criteria\n" + "\n".join(
            f"- case {c}" for c in range(rng.randint(0, 12))
        )
        items.append(
            Item(
                source="jira",
                key=key,
                title=f"Item {i}",
                project=project,
                type="Story",
                kind=rng.choice(["story", "story", "task", "bug"]),
                status_category=rng.choice(["todo", "todo", "todo", "in_progress", "done"]),
                text=text,
                sections={"acceptance criteria": text.split("\n", 1)[1]},
                estimate=float(rng.choice([1, 2, 3, 5, 8, 13, 21])) if rng.random() < 0.8 else None,
                labels=("okr: q3",) if rng.random() < 0.1 else (),
                reporter=Person("acc-1", "Dana"),
                created=created,
                updated=updated,
                rank=f"0|i{rng.randrange(36**6):06x}:",
                parent=f"{project}-EPIC-{i % 40}" if rng.random() < 0.4 else None,
                links=links,
                fields={"priority": rng.choice(["Low", "Medium", "High"])},
            )
        )
    return items


def time_rules(
    items: list[Item], config: dict[str, dict[str, object]], runs: int = 3
) -> tuple[float, float, int]:
    """CPU seconds (best of `runs`: the machine is shared) to build the Backlog and to run."""
    engine = Engine(config)
    built = spent = float("inf")
    findings = 0
    for _ in range(runs):
        start = time.process_time()
        backlog = Backlog.of(items, NOW)
        built = min(built, time.process_time() - start)
        start = time.process_time()
        findings = sum(len(engine.evaluate(item, backlog)) for item in items)
        spent = min(spent, time.process_time() - start)
    return built, spent, findings


def naive_blocked(items: list[Item], sample: int) -> float:
    """Seconds per item when each item finds its blocker and both places without a Backlog."""
    by_project: dict[str, list[Item]] = {}
    for item in items:
        by_project.setdefault(item.project, []).append(item)
    chosen = [item for item in items if item.links][:sample]
    start = time.process_time()
    for item in chosen:
        for link in item.links:
            blocker = next((i for i in items if i.key == link.target), None)  # scan
            if blocker is None or blocker.rank is None or item.rank is None:
                continue
            for who in (item, blocker):  # its place: sort the project's open items
                ranked = sorted(
                    (i.rank, i.key)
                    for i in by_project[who.project]
                    if i.rank and i.status_category != "done"
                )
                if (who.rank, who.key) in ranked:
                    ranked.index((who.rank, who.key))
    return (time.process_time() - start) / max(1, len(chosen))


def prune_dry_run(n: int, seed: int) -> tuple[float, float, str]:
    from bot.config import Settings
    from bot.services.prune import find_candidates
    from bot.services.teams import teams
    from bot.store import open_store

    folder = Path(tempfile.mkdtemp(prefix="lean-bench-"))
    url = f"sqlite:///{folder / 'r.db'}"
    store = open_store(url)
    store.upsert_items(backlog_items(n, seed))
    (folder / "refinery.toml").write_text(
        f'[store]\nurl = "{url}"\n[slack]\npo_users = ["UPO"]\n[prune]\ncandidates = 10\n'
    )
    settings = Settings(store={"url": url}, slack={"po_users": ["UPO"]})
    in_process = float("inf")
    for _ in range(3):
        start = time.process_time()
        found = find_candidates(store, settings, teams(settings)[0])
        in_process = min(in_process, time.process_time() - start)
    store.close()
    refinery = Path(sys.executable).parent / "refinery"
    start = time.perf_counter()
    result = subprocess.run(
        [str(refinery), "prune", "--dry-run", "-c", str(folder / "refinery.toml")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "REFINERY_CONFIG": ""},
    )
    end_to_end = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([str(refinery), "--help"], capture_output=True, check=True)
    startup = time.perf_counter() - start
    first = result.stdout.splitlines()[0] if result.stdout else ""
    return (
        in_process,
        end_to_end,
        f"`refinery --help` alone {startup:.2f} s; {len(found)} " + (f"candidates; CLI: {first}"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--store-items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    load_builtin_rules()
    items = backlog_items(args.items, args.seed)
    lean = {rule_id: {"enabled": True} for rule_id in LEAN}
    lean["low-value-near-top"] = {"enabled": True, "value_field": "priority"}
    only_lean = {**lean, **{r: {"enabled": False} for r in REGISTRY if r not in LEAN}}
    print(f"{args.items:,} items, {sum(1 for i in items if i.links):,} with a blocking link")
    built, spent, found = time_rules(items, only_lean)
    print(f"CPU, best of 3. Backlog.of: {built:.2f} s; five lean rules: {spent:.2f} s ({found:,})")
    _, core, core_found = time_rules(items, {})
    print(f"the three core rules alone (no Backlog): {core:.2f} s ({core_found:,} findings)")
    built, spent, found = time_rules(items, lean)
    print(f"all eight rules: {spent:.2f} s + Backlog {built:.2f} s ({found:,} findings)")
    per_item = naive_blocked(items, 30)
    linked = sum(1 for i in items if i.links)
    print(
        f"naive blocked-above-blocker (scan + sort per item, 30 sampled): {per_item * 1000:.1f} ms"
        f" an item, about {per_item * linked:,.0f} s for the {linked:,} linked items"
    )
    in_process, end_to_end, what = prune_dry_run(args.store_items, args.seed)
    print(
        f"prune candidates on a {args.store_items:,}-item store: {in_process:.2f} s CPU; "
        f"`refinery prune --dry-run` end to end {end_to_end:.2f} s ({what})"
    )


if __name__ == "__main__":
    main()
