"""CPU a sync spends per stage on 10,000 items, without any network: what load cannot blur.

    .venv/bin/python bench/sync_cpu.py [--source jira|github] [--items 10000] [--stages ...]

The pages are the bench stubs' own bodies (bench/stubs), built in this process before timing.
Each stage runs over all pages, page by page, as a sync runs it:
- decode: the JSON body to Python objects (the prefetch thread's share of a page);
- parse: `to_item` for each issue (the sync's thread);
- store: the page and its cursor stored into a fresh SQLite file, as a sync without a judge;
- judged: the same with the verdicts, as `refinery sync` stores a page (use one of the two).

CPU seconds are `time.process_time` (one thread, so they are the stage's own). For instruction
counts, run it under callgrind with `--stages` growing one stage at a time and subtract:
`valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/sync_cpu.py --items 2000
--stages decode,parse`, then `--stages decode,parse,judged` (valgrind prints each total as
"Collected").
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import inspect
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson

STAGES = ("decode", "parse", "store", "judged")


def write(store: Any, items: list[Any], cursor: str) -> None:
    """What run_stream does with a page when it has no judge."""
    if "cursor" in inspect.signature(store.upsert_items).parameters:
        store.upsert_items(items, cursor=("bench", cursor))
    else:  # before: the cursor in a second transaction
        store.upsert_items(items)
        store.set_cursor("bench", cursor)


def write_judged(judge: Any, items: list[Any], cursor: str) -> None:
    """What run_stream does with a page when it judges at ingest (`refinery sync`)."""
    if hasattr(judge, "store_items"):
        judge.store_items(items, cursor=("bench", cursor))
    else:  # before: stored, then judged and saved again, then the cursor
        judge.store.upsert_items(items)
        judge.items(items)
        judge.store.set_cursor("bench", cursor)


def jira_pages(items: int) -> tuple[list[bytes], Any]:
    from stubs.jira_stub import JiraStub

    from connectors.jira.fields import from_field_list, names_of

    stub = JiraStub(issues=items, delay=0)
    fields = from_field_list(stub.fields).configured("", "", names_of(stub.fields))
    jql = 'project in ("PAY") AND statusCategory != Done ORDER BY updated ASC, key ASC'
    bodies = []
    start = 0
    while start < items:
        args = {"jql": jql, "fields": fields.request_fields(), "maxResults": 100}
        args["nextPageToken"] = str(start)
        bodies.append(stub._search("/rest/api/3/search/jql", args))
        start += 100
    return bodies, fields


def github_pages(items: int) -> list[bytes]:
    from stubs.github_stub import make_issues

    issues = make_issues(items, 0)
    return [orjson.dumps(issues[start : start + 100]) for start in range(0, items, 100)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", choices=("jira", "github"), default="jira")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated, in order")
    parser.add_argument("--profile", choices=STAGES, help="print cProfile's top of one stage")
    args = parser.parse_args(argv)
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages: {', '.join(sorted(unknown))}")
    if {"store", "judged"} <= set(stages):
        parser.error("store and judged are two ways of writing the page: pick one")

    from bot.services.judge import Judge
    from bot.store import open_store
    from rules.engine import Engine

    if args.source == "jira":
        from connectors.jira.parse import to_item

        bodies, fields = jira_pages(args.items)

        def issues_of(body: bytes) -> list[Any]:
            return list(orjson.loads(body)["issues"])

        def parse(raw: Any) -> Any:
            return to_item(raw, fields, "http://127.0.0.1")

    else:
        from connectors.github.parse import EstimateLabels
        from connectors.github.parse import to_item as github_item

        bodies = github_pages(args.items)
        labels = EstimateLabels()

        def issues_of(body: bytes) -> list[Any]:
            return list(orjson.loads(body))

        def parse(raw: Any) -> Any:
            return github_item(raw, "acme/shop", labels)

    spent = dict.fromkeys(STAGES, 0.0)
    collecting = dict.fromkeys(STAGES, 0.0)  # of which the cyclic garbage collector
    profiles = {stage: _Toggle(stage == args.profile) for stage in STAGES}
    GC.take()
    try:  # what run_stream does around a sync (absent before it did)
        from connectors.collector import fewer_collections
    except ImportError:
        fewer_collections = contextlib.nullcontext  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp, fewer_collections():
        store = open_store(f"sqlite:///{tmp}/cpu.db")
        judge = Judge(store, Engine())
        for number, body in enumerate(bodies):
            clock = time.process_time()
            with profiles["decode"]:
                raw = issues_of(body) if "decode" in stages else []
            spent["decode"] += time.process_time() - clock
            collecting["decode"] += GC.take()
            clock = time.process_time()
            with profiles["parse"]:
                items = [parse(issue) for issue in raw] if "parse" in stages else []
            spent["parse"] += time.process_time() - clock
            collecting["parse"] += GC.take()
            if "store" in stages:
                clock = time.process_time()
                with profiles["store"]:
                    write(store, items, str(number))
                spent["store"] += time.process_time() - clock
            collecting["store"] += GC.take()
            if "judged" in stages:
                clock = time.process_time()
                with profiles["judged"]:
                    write_judged(judge, items, str(number))
                spent["judged"] += time.process_time() - clock
            collecting["judged"] += GC.take()
        store.close()
    scale = 10_000 / args.items
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(f"{args.source}, {args.items} items, {len(bodies)} pages; load {load}")
    print(f"{'stage':<8} {'CPU s':>7} {'per 10,000':>11} {'ms a page':>10} {'of it GC s':>11}")
    for stage in [*stages, "total"]:
        cpu = sum(spent[s] for s in stages) if stage == "total" else spent[stage]
        collected = sum(collecting[s] for s in stages) if stage == "total" else collecting[stage]
        print(
            f"{stage:<8} {cpu:>7.3f} {cpu * scale:>11.3f} {cpu * 1000 / len(bodies):>10.2f} "
            f"{collected * scale:>11.3f}"
        )
    if args.profile:
        pstats.Stats(profiles[args.profile].profile).sort_stats("tottime").print_stats(40)


class _Collections:
    """CPU seconds the cyclic garbage collector ran, taken stage by stage."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.process_time()
        else:
            self.spent += time.process_time() - self.started

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent


GC = _Collections()


class _Toggle:
    """cProfile switched on only inside one stage's blocks."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.profile = cProfile.Profile()

    def __enter__(self) -> None:
        if self.on:
            self.profile.enable()

    def __exit__(self, *exc: object) -> None:
        if self.on:
            self.profile.disable()


if __name__ == "__main__":
    main()
