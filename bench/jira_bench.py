"""Benchmark Refinery's Jira sync against the naive jira-library way, on a local stub site.

    .venv/bin/python bench/jira_bench.py [--issues 10000] [--delay 0.05]

Every request goes to a stub server on 127.0.0.1 (see bench/stubs/jira_stub.py), which adds
`--delay` seconds to each request. Measured per deployment (Cloud, Data Center):
- ours, full: `refinery sync --full` minus the CLI (run_stream into a fresh SQLite store,
  judging each page as it is stored, as the command does), the same without the judge, and
  the same reads without the store (plan + fetch + parse to items). Each run starts with an
  empty description cache, as a new `refinery sync` process does;
- naive, full: `JIRA(...).search_issues(jql, maxResults=False)` with default fields (*all);
- ours, incremental after 1% of the issues changed, next to the naive way redoing it all.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # never via a proxy

import orjson
import requests
from jira import JIRA
from stubs.jira_stub import serve_in_process

from bot.config import Settings
from bot.services.judge import Judge
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.jira import make_jira_stream, search
from connectors.jira.fields import from_field_list, names_of
from connectors.prefetch import prefetch
from connectors.text import cache
from rules.engine import Engine

JQL = 'project in ("PAY") AND statusCategory != Done'


def control(url: str, action: str, **params: Any) -> dict[str, Any]:
    """Talk to the stub's uncounted control endpoints."""
    answer: dict[str, Any] = requests.get(f"{url}/_stub/{action}", params=params, timeout=30).json()
    return answer


Measured = tuple[int, int, float, int, float]  # items, requests, seconds, bytes, CPU seconds


def measure(url: str, work: Callable[[], int]) -> Measured:
    """Run `work`; return (items, requests, seconds, bytes served, this process's CPU)."""
    control(url, "reset")
    cache.clear()  # descriptions analysed by an earlier run: a new process has none
    started, cpu = time.perf_counter(), time.process_time()
    items = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stats = control(url, "stats")
    return items, stats["requests"], seconds, stats["bytes"], cpu


def floor_replay(url: str, deployment: str, fields: list[str] | None = None) -> int:
    """The requests a full sync needs, back to back: bodies read and decoded, nothing else."""
    session = requests.Session()
    api = "/rest/api/3" if deployment == "Cloud" else "/rest/api/2"
    listing = session.get(f"{url}{api}/field", timeout=30).json()
    if fields is None:
        fields = from_field_list(listing).configured("", "", names_of(listing)).request_fields()
    jql = f"{JQL} ORDER BY updated ASC, key ASC"
    body: dict[str, Any] = {"jql": JQL, "maxResults": 0, "fields": ["id"]}
    if deployment == "Cloud":
        session.post(f"{url}/rest/api/3/search/approximate-count", json={"jql": JQL}, timeout=30)
    else:
        session.post(f"{url}/rest/api/2/search", json=body, timeout=30)
    token: Any = None
    start = count = 0
    while True:
        body = {"jql": jql, "fields": fields, "maxResults": 100}
        if deployment == "Cloud":
            if token:
                body["nextPageToken"] = token
            page = orjson.loads(session.post(f"{url}{api}/search/jql", json=body).content)
            count += len(page["issues"])
            token = page.get("nextPageToken")
            if page.get("isLast") or not token:
                return count
        else:
            body["startAt"] = start
            page = orjson.loads(session.post(f"{url}{api}/search", json=body).content)
            start += len(page["issues"])
            if not page["issues"] or start >= page["total"]:
                return start


def interleaved(
    runs: int, url: str, works: dict[str, Callable[[], int]]
) -> list[tuple[str, Measured]]:
    """Run each of `works` `runs` times, taking turns (so a change in the machine's load hits
    every row alike); for each, the measurement with the median wall time."""
    results: dict[str, list[Measured]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            results[name].append(measure(url, work))
    return [
        (name, sorted(found, key=lambda result: result[2])[len(found) // 2])
        for name, found in results.items()
    ]


def run(deployment: str, issues: int, delay: float, runs: int) -> list[tuple[str, Measured]]:
    url, stop = serve_in_process(issues=issues, delay=delay, deployment=deployment)
    assert url.startswith("http://127.0.0.1:")
    rows: list[tuple[str, Measured]] = []
    kind = "cloud" if deployment == "Cloud" else "datacenter"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            store={"url": f"sqlite:///{tmp}/bench.db"},  # type: ignore[arg-type]
            jira={  # type: ignore[arg-type]
                "url": url,
                "email": "bench@example.com",
                "api_token": "not-a-secret",
                "projects": ["PAY"],
                "deployment": kind,
            },
        )
        store = open_store(settings.store.url)

        def ours(full: bool) -> Callable[[], int]:
            def work() -> int:
                summary = run_stream(store, make_jira_stream(settings, store), full=full)
                return summary.items

            return work

        def naive() -> int:
            client = JIRA(server=url, basic_auth=("bench@example.com", "not-a-secret"))
            return len(client.search_issues(JQL, maxResults=False))

        def fetch_only() -> int:
            stream = make_jira_stream(settings, store)
            stream.plan(None)
            return sum(len(page.items) for page in stream.fetch(None))

        # Warm the stub's caches (each issue's JSON per field list) for both clients.
        measure(url, lambda: floor_replay(url, deployment))
        measure(url, lambda: floor_replay(url, deployment, ["*all"]))
        fresh: list[int] = []

        def full_into_new_store(judged: bool = False) -> int:
            # A new SQLite file each run: every run inserts all the issues.
            fresh.append(len(fresh))
            path = f"sqlite:///{tmp}/full-{len(fresh)}.db"
            new = open_store(path)
            judge = Judge(new, Engine(settings.rules)) if judged else None
            try:
                stream = make_jira_stream(settings, new)
                return run_stream(new, stream, full=True, judge=judge).items
            finally:
                new.close()

        def full_judged() -> int:
            return full_into_new_store(judged=True)

        def floor() -> int:
            return floor_replay(url, deployment)

        def one_after_another() -> int:
            # The same sync with each page fetched only after the previous one is stored.
            search.prefetch = lambda pages: pages  # type: ignore[assignment]
            try:
                return full_into_new_store()
            finally:
                search.prefetch = prefetch

        works = {
            "floor: requests back to back": floor,
            "ours: full sync, judged (as CLI)": full_judged,
            "ours: full sync, no judge": full_into_new_store,
            "ours: fetch + parse, no store": fetch_only,
            "no prefetch, no judge": one_after_another,
        }
        rows += interleaved(runs, url, works)
        run_stream(store, make_jira_stream(settings, store), full=True)  # for the incremental
        rows.append(("naive: search_issues(*all)", measure(url, naive)))
        changed = control(url, "touch", fraction=0.01)["changed"]
        rows.append((f"ours: incremental ({changed} changed)", measure(url, ours(False))))
        rows.append(("naive: same, all again", measure(url, naive)))
        store.close()
    stop()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median shown)")
    args = parser.parse_args(argv)
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(
        f"{args.issues} issues, {args.delay * 1000:.0f} ms per request, stub on 127.0.0.1 (own "
        f"process); median of {args.runs} runs taking turns (naive and incremental rows: 1 run); "
        f"CPU is this process's; load {load}\n"
    )
    header = (
        f"{'deployment':<12} {'run':<34} {'items':>7} {'requests':>9} {'seconds':>8} {'CPU s':>6} "
        f"{'MB':>7} {'x N*delay':>9} {'x floor':>8}"
    )
    print(header)
    print("-" * len(header))
    for deployment in ("Cloud", "Server"):
        rows = run(deployment, args.issues, args.delay, args.runs)
        floor = rows[0][1][2]
        for name, (items, count, seconds, size, cpu) in rows:
            label = "Cloud" if deployment == "Cloud" else "Data Center"
            print(
                f"{label:<12} {name:<34} {items:>7} {count:>9} {seconds:>8.2f} {cpu:>6.2f} "
                f"{size / 1e6:>7.1f} {seconds / (count * args.delay):>9.2f} "
                f"{seconds / floor:>8.2f}",
                flush=True,
            )
    with open("/proc/loadavg") as loadavg:
        print(f"\nload at the end {' '.join(loadavg.read().split()[:3])}")


if __name__ == "__main__":
    main()
