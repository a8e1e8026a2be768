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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # never via a proxy

from jira import JIRA
from stubs.jira_stub import JiraStub

from bot.config import Settings
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.jira import make_jira_stream

JQL = 'project in ("PAY") AND statusCategory != Done'


def measure(stub: JiraStub, work: Callable[[], int]) -> tuple[int, int, float, int]:
    """Run `work`; return (items, requests, seconds, MB-ish bytes served)."""
    stub.reset_counts()
    started = time.perf_counter()
    items = work()
    return items, stub.requests, time.perf_counter() - started, stub.bytes


def run(
    deployment: str, issues: int, delay: float
) -> list[tuple[str, tuple[int, int, float, int]]]:
    stub = JiraStub(issues=issues, delay=delay, deployment=deployment)
    url = stub.start()
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

        rows.append(("ours: full sync into SQLite", measure(stub, ours(True))))
        rows.append(("ours: fetch + parse, no store", measure(stub, fetch_only)))
        rows.append(("naive: search_issues(*all)", measure(stub, naive)))
        changed = stub.touch(0.01)
        rows.append((f"ours: incremental ({changed} changed)", measure(stub, ours(False))))
        rows.append(("naive: same, all again", measure(stub, naive)))
        store.close()
    stub.stop()
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
        for name, (items, requests, seconds, size) in run(deployment, args.issues, args.delay):
            label = "Cloud" if deployment == "Cloud" else "Data Center"
            print(
                f"{label:<12} {name:<34} {items:>7} {requests:>9} {seconds:>8.2f} "
                f"{size / 1e6:>7.1f}"
            )


if __name__ == "__main__":
    main()
