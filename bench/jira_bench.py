"""Benchmark Refinery's Jira sync against the naive jira-library way, on a local stub site.

    /work/venv/bin/python bench/jira_bench.py [--issues 10000] [--delay 0.05]

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

import requests
from jira import JIRA
from stubs.jira_stub import serve_in_process

from bot.config import Settings
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.jira import make_jira_stream

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


def run(
    deployment: str, issues: int, delay: float
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

        rows.append(("ours: full sync into SQLite", measure(url, ours(True))))
        rows.append(("ours: fetch + parse, no store", measure(url, fetch_only)))
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
    args = parser.parse_args(argv)
    print(f"{args.issues} issues, {args.delay * 1000:.0f} ms per request, stub on 127.0.0.1\n")
    header = f"{'deployment':<12} {'run':<34} {'items':>7} {'requests':>9} {'seconds':>8} {'MB':>7}"
    print(header)
    print("-" * len(header))
    for deployment in ("Cloud", "Server"):
        for name, (items, count, seconds, size) in run(deployment, args.issues, args.delay):
            label = "Cloud" if deployment == "Cloud" else "Data Center"
            print(
                f"{label:<12} {name:<34} {items:>7} {count:>9} {seconds:>8.2f} {size / 1e6:>7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
