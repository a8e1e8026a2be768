"""Benchmark Refinery's Jira sync against the naive jira-library way, on a local stub site.

    .venv/bin/python bench/jira_bench.py [--issues 10000] [--delay 0.05]

Every request goes to a stub server on 127.0.0.1 (see bench/stubs/jira_stub.py), which adds
`--delay` seconds to each request. Measured per deployment (Cloud, Data Center):
- ours, full: `refinery sync --full` minus the CLI (run_stream into a fresh SQLite store),
  and the same reads without the store (plan + fetch + parse to items);
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
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.jira import make_jira_stream, search
from connectors.jira.fields import from_field_list, names_of
from connectors.prefetch import prefetch

JQL = 'project in ("PAY") AND statusCategory != Done'


def control(url: str, action: str, **params: Any) -> dict[str, Any]:
    """Talk to the stub's uncounted control endpoints."""
    answer: dict[str, Any] = requests.get(f"{url}/_stub/{action}", params=params, timeout=30).json()
    return answer


def measure(url: str, work: Callable[[], int]) -> tuple[int, int, float, int]:
    """Run `work`; return (items, requests, seconds, bytes served)."""
    control(url, "reset")
    started = time.perf_counter()
    items = work()
    seconds = time.perf_counter() - started
    stats = control(url, "stats")
    return items, stats["requests"], seconds, stats["bytes"]


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


def median_of(runs: int, url: str, work: Callable[[], int]) -> tuple[int, int, float, int]:
    """Run `work` `runs` times; the measurement with the median wall time."""
    results = sorted((measure(url, work) for _ in range(runs)), key=lambda result: result[2])
    return results[len(results) // 2]


def run(
    deployment: str, issues: int, delay: float, runs: int
) -> list[tuple[str, tuple[int, int, float, int]]]:
    url, stop = serve_in_process(issues=issues, delay=delay, deployment=deployment)
    assert url.startswith("http://127.0.0.1:")
    rows: list[tuple[str, tuple[int, int, float, int]]] = []
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

        def full_into_new_store() -> int:
            # A new SQLite file each run: every run inserts all the issues.
            fresh.append(len(fresh))
            path = f"sqlite:///{tmp}/full-{len(fresh)}.db"
            new = open_store(path)
            try:
                return run_stream(new, make_jira_stream(settings, new), full=True).items
            finally:
                new.close()

        def floor() -> int:
            return floor_replay(url, deployment)

        rows.append(("floor: requests back to back", median_of(runs, url, floor)))
        rows.append(("ours: full sync into SQLite", median_of(runs, url, full_into_new_store)))
        rows.append(("ours: fetch + parse, no store", median_of(runs, url, fetch_only)))

        def one_after_another() -> int:
            # The same sync with each page fetched only after the previous one is stored.
            search.prefetch = lambda pages: pages  # type: ignore[assignment]
            try:
                return full_into_new_store()
            finally:
                search.prefetch = prefetch

        rows.append(("before: no prefetch, into SQLite", median_of(runs, url, one_after_another)))
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
        f"{args.issues} issues, {args.delay * 1000:.0f} ms per request, stub on 127.0.0.1; "
        f"median of {args.runs} runs (naive and incremental rows: 1 run); load {load}\n"
    )
    header = (
        f"{'deployment':<12} {'run':<34} {'items':>7} {'requests':>9} {'seconds':>8} {'MB':>7} "
        f"{'x N*delay':>9} {'x floor':>8}"
    )
    print(header)
    print("-" * len(header))
    for deployment in ("Cloud", "Server"):
        rows = run(deployment, args.issues, args.delay, args.runs)
        floor = rows[0][1][2]
        for name, (items, count, seconds, size) in rows:
            label = "Cloud" if deployment == "Cloud" else "Data Center"
            print(
                f"{label:<12} {name:<34} {items:>7} {count:>9} {seconds:>8.2f} {size / 1e6:>7.1f} "
                f"{seconds / (count * args.delay):>9.2f} {seconds / floor:>8.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
