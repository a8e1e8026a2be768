"""Syncs through 429/503 storms with Retry-After, against the local stubs, in real time.

    .venv/bin/python bench/storms.py [--issues 2000] [--jira-rate 10]

The Jira and GitHub stubs (bench/stubs/) refuse requests by a fixed pattern (tests/faults/
storm_helpers.py: some 429, some 503, Retry-After 1 or 2 s) and log when each request arrived.
Each sync runs through run_stream into a fresh SQLite store, once in a storm and once calm.
Reported per run: finished with every item, requests and refusals, whether every Retry-After
was waited out (the next request arrived at least that many seconds after the refusal, as the
stub saw it), and the highest request rate the stub saw (most requests in any 1 s window, and
the shortest gap between two requests) next to the configured pace: PyGithub's
seconds_between_requests for GitHub (0.1 s), and for Jira connectors/pacing.py at --jira-rate.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # never via a proxy

from bench.stubs.github_stub import make_issues  # noqa: E402
from bot.services.sync import run_stream  # noqa: E402
from bot.store import open_store  # noqa: E402
from connectors.github.client import READ_SPACING, GithubClient  # noqa: E402
from connectors.github.sync import IssueStream  # noqa: E402
from connectors.jira import make_jira_stream  # noqa: E402
from connectors.pacing import pace_session  # noqa: E402
from tests.faults.storm_helpers import StormyGithub, StormyJira  # noqa: E402
from tests.faults.sync_helpers import stub_settings  # noqa: E402

BENCH_STORM = ((4, 1, 429, 1), (9, 3, 503, 2), (13, 6, 429, 2))


@dataclass
class Row:
    name: str
    finished: bool
    items: int
    requests: int
    refused: int
    honoured: str
    max_per_s: int
    min_gap: float
    pace: str
    seconds: float


def judge(
    name: str,
    arrivals: list[tuple[float, int | None]],
    items: int,
    finished: bool,
    pace: str,
    seconds: float,
) -> Row:
    times = [at for at, _ in arrivals]
    waits = [
        (after, times[n + 1] - at)
        for n, (at, after) in enumerate(arrivals[:-1])
        if after is not None
    ]
    honoured = sum(1 for after, waited in waits if waited >= after)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return Row(
        name,
        finished,
        items,
        len(arrivals),
        sum(1 for _, after in arrivals if after is not None),
        f"{honoured}/{len(waits)}",
        best,
        min(gaps) if gaps else 0.0,
        pace,
        seconds,
    )


def jira_runs(issues: int, rate: float, tmp: Path) -> list[Row]:
    rows = []
    for storm in (BENCH_STORM, ()):
        stub = StormyJira(issues=issues, delay=0.02, storm=storm)
        url = stub.start()
        settings = stub_settings(url, f"sqlite:///{tmp}/jira{len(rows)}.db", page_size=100)
        store = open_store(settings.store.url)
        stream = make_jira_stream(settings, store)
        pace_session(stream.client.session, rate)
        started = time.perf_counter()
        summary = run_stream(store, stream)
        seconds = time.perf_counter() - started
        store.close()
        stub.stop()
        label = "Jira Cloud, storm" if storm else "Jira Cloud, calm"
        finished = summary.stopped is None and summary.items == issues
        rows.append(judge(label, stub.arrivals, summary.items, finished, f"{rate:g}/s", seconds))
    return rows


def github_runs(issues: int, tmp: Path) -> list[Row]:
    rows = []
    for storm in (BENCH_STORM, ()):
        with StormyGithub(
            make_issues(issues, pulls=issues // 50), latency=0.02, storm=storm
        ) as stub:
            client = GithubClient("bench-token", stub.base_url)
            store = open_store(f"sqlite:///{tmp}/github{len(rows)}.db")
            started = time.perf_counter()
            summary = run_stream(store, IssueStream(client, stub.repo))
            seconds = time.perf_counter() - started
            store.close()
            label = "GitHub, storm" if storm else "GitHub, calm"
            finished = summary.stopped is None and summary.items == issues
            pace = f"{1 / READ_SPACING:g}/s"
            rows.append(judge(label, stub.arrivals, summary.items, finished, pace, seconds))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--jira-rate", type=float, default=10.0, help="Jira requests a second")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows = jira_runs(args.issues, args.jira_rate, Path(tmp)) + github_runs(
            args.issues, Path(tmp)
        )
    print(f"{args.issues} issues per sync, 20 ms per request, stubs on 127.0.0.1\n")
    header = (
        f"{'run':<18} {'finished':>8} {'items':>6} {'requests':>8} {'refused':>7} "
        f"{'Retry-After kept':>16} {'max req/1s':>10} {'min gap s':>9} {'pace':>6} {'seconds':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.name:<18} {'yes' if row.finished else 'NO':>8} {row.items:>6} "
            f"{row.requests:>8} {row.refused:>7} {row.honoured:>16} {row.max_per_s:>10} "
            f"{row.min_gap:>9.3f} {row.pace:>6} {row.seconds:>7.1f}"
        )
    if not all(row.finished for row in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
