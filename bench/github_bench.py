"""Requests and wall time of a GitHub sync against a local stub (50 ms a request), vs PyGithub
used naively. Traffic goes only to 127.0.0.1.

    .venv/bin/python bench/github_bench.py [--issues 10000] [--pulls 300] [--cap 300]

Rows:
- refinery full / incremental: IssueStream through run_stream into a fresh SQLite store, with
  the connector's default configuration (no read spacing); the full sync judged as `refinery
  sync` judges each page, and without the judge, taking turns, each from an empty description
  cache as a new process has. CPU is this process's (the stub's threads run in it too).
- refinery fetch+parse only: the same stream without a store, at 0.1 s and at 0 s spacing.
- pygithub naive: Github(base_url=stub) with its defaults (per_page 30, 0.25 s between
  requests), `repo.get_issues(state="all")`, skipping `issue.pull_request` and reading
  `issue.raw_data` as a user would. Each of those reads completes the issue with one GET. It is
  stopped after --cap listed elements and extrapolated linearly to the whole list (marked ~).
- pygithub per_page=100: the same list with per_page 100 and no lazy reads (`_rawData`), default
  spacing, run in full: what spacing alone costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # never via a proxy

import orjson
import requests
from github import Github

from bench.stubs.github_stub import GithubStub, make_issues, stamp
from bot.services.judge import Judge
from bot.services.sync import run_stream
from bot.store import open_store
from connectors.github import sync
from connectors.github.client import GithubClient
from connectors.github.sync import IssueStream
from connectors.prefetch import prefetch
from connectors.text import cache
from rules.engine import Engine

EDITED = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass
class Row:
    name: str
    requests: float
    seconds: float
    issues: int
    note: str = ""
    cpu: float = 0.0  # this process's CPU seconds (the stub's threads included)


def floor(stub: GithubStub) -> Row:
    """The listing's pages back to back (following Link), bodies read and decoded, no work."""
    session = requests.Session()
    url: str | None = f"{stub.base_url}/repos/{stub.repo}/issues"
    params: dict[str, str] | None = {"state": "all", "sort": "updated", "direction": "asc"}
    params = {**(params or {}), "per_page": "100"}
    start, cpu, before, issues = time.perf_counter(), time.process_time(), len(stub.log), 0
    while url:
        answer = session.get(url, params=params, timeout=30)
        issues += sum(1 for issue in orjson.loads(answer.content) if "pull_request" not in issue)
        url, params = answer.links.get("next", {}).get("url"), None
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Row("floor: the pages back to back", len(stub.log) - before, seconds, issues, cpu=cpu)


def median_row(rows: list[Row]) -> Row:
    return sorted(rows, key=lambda row: row.seconds)[len(rows) // 2]


def refinery(stub: GithubStub, tmp: str, changed: int, runs: int) -> list[Row]:
    """Full syncs with the default configuration, each into a new store and judged as
    `refinery sync` judges (and without the judge, taking turns); then incremental."""
    fulls: dict[bool, list[Row]] = {True: [], False: []}
    for run in range(runs):
        for judged in (True, False):
            cache.clear()  # a new `refinery sync` process has analysed no description yet
            client = GithubClient("bench-token", stub.base_url)  # default spacing
            store = open_store(f"sqlite:///{tmp}/full-{run}-{judged}.db")
            judge = Judge(store, Engine()) if judged else None
            start, cpu, before = time.perf_counter(), time.process_time(), len(stub.log)
            run_stream(store, IssueStream(client, stub.repo), judge=judge)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            # Distinct issues stored (items also counts the one re-read at each page boundary).
            issues = len(store.keys("github"))
            name = "refinery full, judged (as CLI)" if judged else "refinery full, no judge"
            fulls[judged].append(Row(name, len(stub.log) - before, seconds, issues, cpu=cpu))
            if run < runs - 1 or judged:
                store.close()
    rows = [median_row(fulls[True]), median_row(fulls[False])]
    stream = IssueStream(GithubClient("bench-token", stub.base_url), stub.repo)
    # Edit `changed` issues spread over the list, as if people worked on them since.
    plain = [issue for issue in stub.issues if "pull_request" not in issue]
    edited = plain[:: max(len(plain) // max(changed, 1), 1)][:changed]
    for index, issue in enumerate(edited):
        issue["updated_at"] = stamp(EDITED + timedelta(seconds=index))
        issue["title"] += " (edited)"
    stub.edited()
    start, before = time.perf_counter(), len(stub.log)
    incremental = run_stream(store, stream)
    rows.append(
        Row(
            f"refinery incremental ({changed} changed)",
            len(stub.log) - before,
            time.perf_counter() - start,
            incremental.updated,
        )
    )
    store.close()
    return rows


def one_after_another(stub: GithubStub, tmp: str, run: int) -> Row:
    """The full sync as before: each page fetched only after the previous one is stored."""
    sync.prefetch = lambda pages: pages  # type: ignore[assignment]
    try:
        store = open_store(f"sqlite:///{tmp}/before-{run}.db")
        client = GithubClient("bench-token", stub.base_url)
        start, before = time.perf_counter(), len(stub.log)
        run_stream(store, IssueStream(client, stub.repo))
        seconds = time.perf_counter() - start
        issues = len(store.keys("github"))
        store.close()
    finally:
        sync.prefetch = prefetch
    return Row("before: no prefetch, spacing 0", len(stub.log) - before, seconds, issues)


def refinery_fetch_only(stub: GithubStub, spacing: float) -> Row:
    """The same requests and parsing without the store, to split network from storage time."""
    client = GithubClient("bench-token", stub.base_url, seconds_between_requests=spacing)
    start, before = time.perf_counter(), len(stub.log)
    keys = {item.key for page in IssueStream(client, stub.repo).fetch(None) for item in page.items}
    name = f"refinery fetch+parse only, spacing {spacing:g} s from starts"
    return Row(name, len(stub.log) - before, time.perf_counter() - start, len(keys))


def pygithub_naive(stub: GithubStub, cap: int) -> Row:
    github = Github(base_url=stub.base_url)  # every default: per_page 30, 0.25 s spacing
    start, before = time.perf_counter(), len(stub.log)
    repo = github.get_repo(stub.repo)
    seen = issues = 0
    for issue in repo.get_issues(state="all"):
        seen += 1
        if issue.pull_request is None:  # completes a real issue: one GET each
            issues += 1
            _ = issue.raw_data
        if seen >= cap:
            break
    requests, seconds = len(stub.log) - before, time.perf_counter() - start
    total = len(stub.issues)
    if seen < total:
        scale = total / seen
        return Row(
            "pygithub naive (defaults)",
            requests * scale,
            seconds * scale,
            round(issues * scale),
            f"~ extrapolated from the first {seen} of {total}",
        )
    return Row("pygithub naive (defaults)", requests, seconds, issues)


def pygithub_per_page_100(stub: GithubStub) -> Row:
    github = Github(base_url=stub.base_url, per_page=100)  # default 0.25 s spacing
    start, before = time.perf_counter(), len(stub.log)
    repo = github.get_repo(stub.repo)
    issues = sum(
        1 for issue in repo.get_issues(state="all") if "pull_request" not in issue._rawData
    )
    return Row(
        "pygithub per_page=100, no lazy reads",
        len(stub.log) - before,
        time.perf_counter() - start,
        issues,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--pulls", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--cap", type=int, default=300, help="listed elements for the naive run")
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share edited before incremental"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per timed row (median)")
    args = parser.parse_args()
    issues = make_issues(args.issues, args.pulls)
    rows: list[Row] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        GithubStub(issues, latency=args.latency, cache=True) as stub,
    ):
        floor(stub)  # warms the stub's caches
        rows.append(median_row([floor(stub) for _ in range(args.runs)]))
        rows += refinery(stub, tmp, round(args.issues * args.changed), args.runs)
        stub.edited()
        floor(stub)
        rows.append(median_row([refinery_fetch_only(stub, 0.0) for _ in range(args.runs)]))
        rows.append(median_row([one_after_another(stub, tmp, run) for run in range(args.runs)]))
        rows.append(refinery_fetch_only(stub, 0.1))
        rows.append(pygithub_per_page_100(stub))
        rows.append(pygithub_naive(stub, args.cap))
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(
        f"{args.issues} issues + {args.pulls} pull requests, {args.latency * 1000:.0f} ms "
        f"per request, stub on 127.0.0.1; median of {args.runs} runs where marked; load {load}"
    )
    floor_s = rows[0].seconds
    print(
        f"{'run':48} {'requests':>9} {'wall s':>8} {'CPU s':>6} {'x N*lat':>8} {'x floor':>8} "
        f"{'issues':>7}"
    )
    for row in rows:
        ideal = row.requests * args.latency
        cpu = f"{row.cpu:>6.2f}" if row.cpu else f"{'':>6}"
        print(
            f"{row.name:48} {row.requests:>9.0f} {row.seconds:>8.2f} {cpu} "
            f"{row.seconds / ideal:>8.2f} {row.seconds / floor_s:>8.2f} {row.issues:>7}  {row.note}"
        )


if __name__ == "__main__":
    main()
