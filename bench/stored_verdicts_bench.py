"""Reports from stored verdicts against re-evaluating every item, on a 100,000-item store.

    .venv/bin/python bench/stored_verdicts_bench.py [--items 100000] [--repeat 3] [--seed 7]

Builds the store of bench/digest_bench.py (four Jira projects, owners, 300 requests, seven
weekly snapshots), judges every item once (what a changed rules configuration costs, in the
background), then times, best and median of --repeat runs, each report two ways:
- stored: what Refinery does now (SQL over the verdicts stored at ingest);
- naive: the old way, evaluating every item of the scope again on each request.
Also `refinery check --format json` from the store end to end (a new process each run), and
the web overview and team page over WSGI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest_bench import NOW, PROJECTS, fill, spread
from rules_bench import make_items

from bot.cli.check_cmd import report_document
from bot.config import Settings, TeamConfig
from bot.context import AppContext
from bot.pages.access import ALL, share_path
from bot.render.digest import digest_message
from bot.services.digest import build_digest, build_reminder
from bot.services.health import Answers, Health
from bot.services.judge import Judge
from bot.services.report import evaluate, stored_document
from bot.store import Store, comment_ledger, readiness
from bot.store.models import DigestSnapshot
from bot.store.store import make_engine
from bot.web import create_app
from rules.engine import Engine


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Best and median wall seconds, and the CPU seconds of the best run (this process and
    its children): on a shared machine the CPU time is what an idle one would take."""
    runs = []
    for _ in range(repeat):
        cpu = _cpu()
        started = time.perf_counter()
        work()
        runs.append((time.perf_counter() - started, _cpu() - cpu))
    best = min(runs)
    return best[0], statistics.median(r[0] for r in runs), best[1]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def naive_digest(store: Store, engine: Engine, team: TeamConfig) -> object:
    """The old digest: every team item read, parsed and evaluated; staleness item by item."""
    items = list(store.items(projects=team.projects or None))
    report, _ = evaluate(items, engine)
    open_items = [i for i in items if i.status_category != "done"]
    keys = [i.key for i in open_items]
    comment_ledger.rows(store, "jira", keys)
    return report.top_by_rank(5), sum(i.estimate or 0 for i in open_items)


def check_document(store: Store, engine: Engine) -> dict[str, object]:
    """What `refinery check --format json` does from the store now."""
    Judge(store, engine).refresh()
    return stored_document(store, readiness.Scope())


def naive_check(store: Store, engine: Engine) -> str:
    """The old `check` from the store: evaluate everything, record history, print JSON."""
    report, evaluated = evaluate(store.items(), engine)
    store.record_findings(evaluated)
    return json.dumps(report_document(report))


def naive_health(store: Store, engine: Engine) -> Health:
    return Health.of(evaluate(store.items(), engine)[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--store", type=Path, help="Keep the store in this file and reuse it when it exists."
    )
    parser.add_argument("--build-only", action="store_true", help="Build --store and stop.")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pay = {"name": "Payments", "projects": ["PAY"], "channel": "CPAY", "sprint_capacity": 30}
    every = {"name": "Everyone", "projects": PROJECTS, "channel": "CALL"}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.store.resolve() if args.store else Path(tmp) / "verdicts.db"
        reuse = path.exists()
        url = f"sqlite:///{path}"
        settings = Settings(
            store={"url": url},  # type: ignore[arg-type]
            teams=[pay, every],  # type: ignore[list-item]
            web={"enabled": True, "secret": "bench-secret"},  # type: ignore[arg-type]
        )
        ctx = AppContext.build(settings)
        store, engine = ctx.store, ctx.engine
        if reuse:
            print(f"{store.count_items():,} items in {path} (reused)")
        else:
            items = spread(make_items(args.items, rng), rng)
            loaded = fill(store, items, rng)
            with store.session() as session:
                for team in settings.teams:
                    for week in range(7, 0, -1):
                        session.add(
                            DigestSnapshot(
                                team=team.name,
                                taken_at=NOW - timedelta(weeks=week),
                                items=len(items),
                                ready=len(items) // 3 + week,
                                per_rule={"missing-why": 100 + week},
                            )
                        )
            del items
            started = time.perf_counter()
            judged = Judge(store, engine).refresh()
            judge_s = time.perf_counter() - started
            print(
                f"{args.items:,} items in SQLite (loaded in {loaded:.1f} s; all {judged:,} "
                f"judged once, as after a rules change, in {judge_s:.1f} s)"
            )
        if args.build_only:
            ctx.close()
            return
        print(f"best and median of {args.repeat} runs (naive: one run)\n")
        header = f"{'what':<44} {'way':<7} {'best s':>8} {'median s':>9} {'cpu s':>7}"
        print(header)
        print("-" * len(header))

        def row(label: str, way: str, work: Callable[[], object], repeat: int) -> None:
            best, median, cpu = timed(work, repeat)
            print(f"{label:<44} {way:<7} {best:>8.3f} {median:>9.3f} {cpu:>7.3f}", flush=True)

        for team in settings.teams:
            label = f"digest build + render, team {team.name}"
            row(
                label,
                "stored",
                lambda t=team: digest_message(build_digest(store, engine, settings, t, NOW)),
                args.repeat,
            )
            row(label, "naive", lambda t=team: naive_digest(store, engine, t), 1)
        team = settings.teams[0]
        row(
            "refinement reminder, team Payments",
            "stored",
            lambda: build_reminder(store, engine, settings, team),
            args.repeat,
        )
        row(
            "check from the store (report + JSON)",
            "stored",
            lambda: json.dumps(check_document(store, engine)),
            args.repeat,
        )
        row("check from the store (report + JSON)", "naive", lambda: naive_check(store, engine), 1)

        def cold_health() -> object:
            fresh = Store(make_engine(url))  # a new process's store: no cached report
            try:
                return Answers(fresh, engine).health()
            finally:
                fresh.close()

        row("/refinery health, cold", "stored", cold_health, args.repeat)
        row("/refinery health, cold", "naive", lambda: naive_health(store, engine), 1)
        client = create_app(ctx).test_client()
        overview = share_path(settings, ALL)

        def page(path: str) -> object:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response.data

        row("web overview (2 teams)", "stored", lambda: page(overview), max(args.repeat, 5))
        row(
            "web overview (2 teams)",
            "naive",
            lambda: [naive_digest(store, engine, t) for t in settings.teams],
            1,
        )
        row(
            "web team page, Payments",
            "stored",
            lambda: page(overview + "team/Payments"),
            max(args.repeat, 5),
        )
        config = Path(tmp) / "refinery.toml"
        config.write_text(f'[store]\nurl = "{url}"\n')
        refinery = str(Path(sys.executable).parent / "refinery")

        def check_cli() -> object:
            done = subprocess.run(
                [refinery, "check", "--format", "json", "--config", str(config)],
                capture_output=True,
                check=True,
                env={**os.environ, "REFINERY_CONFIG": ""},
            )
            return done.stdout

        row("`refinery check --format json` (process)", "stored", check_cli, args.repeat)
        findings = len(json.loads(check_cli())["findings"])
        print(f"\n(the check lists {findings:,} findings)")
        ctx.close()


if __name__ == "__main__":
    main()
