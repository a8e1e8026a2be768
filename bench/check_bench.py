"""Benchmark `refinery check` on 100,000 generated items: from a file and from the store.

Run: .venv/bin/python bench/check_bench.py [--items 100000] [--seed 7] [--keep DIR]

Each `refinery check --format json` runs in its own process (as a user runs it); the table shows
its wall time, items/s and that process's peak RSS. "rules only" is Engine.evaluate over items
already in memory, on one core, best of 3: the figure the 2 s / 100,000 items target is about.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.report import evaluate  # noqa: E402
from bot.store import open_store  # noqa: E402
from connectors.files import dump_items  # noqa: E402
from connectors.item import Item, Person  # noqa: E402
from connectors.text import analyze  # noqa: E402
from rules.engine import Engine  # noqa: E402

WHY = [
    "Merchants call support to ask when they are paid, because the balance page shows no date.",
    "As a shopper on my phone I want to pay with a wallet so that I don't type my card number.",
    "Users are struggling to find the refund button on the order page.",
    "This will let finance close the month two days earlier.",
    "As a <role> I want <goal> so that <benefit>",
    "_No response_",
    "",
]
OUTCOME = [
    "Raise mobile checkout conversion from 2.1% to 2.6% by the end of Q1.",
    "Cut 'where is my order' tickets by 25% in the first month.",
    "p95 payment latency under 300 ms.",
    "[describe the value]",
    "_No response_",
    "",
]
DETAIL = [
    "Reuse the wallet sheet component. Behind the flag checkout.wallets.",
    "- [ ] Works on iOS and Android\n- [ ] Copy reviewed\n- [ ] Analytics events fire",
    "Columns: payout id, date, currency, gross, fees, net.",
    "Keep the old endpoint for one more release so mobile clients can move over.",
]
KINDS = [("Story", "story")] * 6 + [("Task", "task"), ("Bug", "bug"), ("Epic", "epic")]
PEOPLE = [Person(id=f"acc-{n}", name=f"Person {n}") for n in range(40)]


def descriptions(rng: random.Random, count: int) -> list[tuple[str, Any]]:
    """Distinct Markdown bodies with their analysis (analyzed once, shared by many items)."""
    pool = []
    for _ in range(count):
        body = "\n\n".join(
            [
                "### Why\n\n" + (rng.choice(WHY) or "_No response_"),
                "### Outcome\n\n" + (rng.choice(OUTCOME) or "_No response_"),
                "### Details\n\n" + rng.choice(DETAIL),
            ]
        )
        pool.append((body, analyze(body, "markdown")))
    return pool


def generate(count: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    pool = descriptions(rng, 300)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        body, text = rng.choice(pool)
        type_name, kind = rng.choice(KINDS)
        done = rng.random() < 0.15
        project = f"P{n % 20:02d}"
        items.append(
            Item(
                source="jira",
                key=f"{project}-{n}",
                title=f"Generated item {n}",
                url=f"https://bench.example.net/browse/{project}-{n}",
                project=project,
                type=type_name,
                kind=kind,  # type: ignore[arg-type]
                status="Done" if done else "To Do",
                status_category="done" if done else "todo",
                description=body,
                description_format="markdown",
                text=text.plain,
                sections=dict(text.sections),
                estimate=rng.choice([None, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0]),
                labels=tuple(rng.sample(["checkout", "payouts", "mobile", "api", "ux"], 2)),
                assignee=rng.choice(PEOPLE) if rng.random() < 0.7 else None,
                reporter=rng.choice(PEOPLE),
                created=start + timedelta(minutes=n),
                updated=start + timedelta(minutes=n, days=3),
                rank=f"0|i{n:07d}:",
            )
        )
    return items


# The child reports its own high-water mark: ru_maxrss of a forked child would include ours.
CHILD = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")
atexit.register(_peak)
from bot.cli.main import main
main()
"""


def run_check(
    args: list[str], env: dict[str, str], out: Path
) -> tuple[float, float, dict[str, Any]]:
    """Run `refinery check ARGS --format json` in a child; return wall s, peak MB, document."""
    command = [sys.executable, "-c", CHILD, "check", *args, "--format", "json"]
    started = time.perf_counter()
    with out.open("wb") as handle:
        child = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"refinery check {' '.join(args)} exited {child.returncode}")
    peak_kb = next(
        int(line.split()[1]) for line in child.stderr.decode().splitlines() if "PEAK_KB" in line
    )
    return wall, peak_kb / 1024, json.loads(out.read_text("utf-8"))


# The same child, for the ways to compare with: reads the file and reports its own wall time.
BASELINE = """
import atexit, gc, json, sys, time
from pathlib import Path
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")
atexit.register(_peak)
way, path = sys.argv[1], sys.argv[2]
if way == "json.load":
    with open(path, "rb") as handle:
        data = json.load(handle)
elif way == "json.load, gc paused":
    gc.disable()
    with open(path, "rb") as handle:
        data = json.load(handle)
else:  # the whole file decoded, then converted, then evaluated (check before streaming)
    from bot.services.report import evaluate
    from connectors.files import load_file
    from rules.engine import Engine
    report, _ = evaluate(load_file(path).items, Engine())
    print(report.items, report.findings)
"""


def run_child(code: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a child Python; return its wall seconds and peak RSS in MB."""
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, env=env, cwd=ROOT
    )
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{args} exited {child.returncode}: {child.stderr.decode()[-500:]}")
    peak_kb = next(
        int(line.split()[1]) for line in child.stderr.decode().splitlines() if "PEAK_KB" in line
    )
    return wall, peak_kb / 1024


def jira_export_rows(
    workdir: Path, count: int, env: dict[str, str], runs: int
) -> tuple[float, list[tuple[str, float, float]]]:
    """`refinery check` of a big saved Jira export next to json.load of the same file."""
    from bench.jira_export import write_jira_export

    path = workdir / "jira-export.json"
    write_jira_export(path, count)
    ways: list[tuple[str, list[str]]] = [
        ("refinery check FILE (streamed)", ["check", str(path), "--format", "json"]),
        ("json.load (plain)", ["json.load", str(path)]),
        ("json.load, gc paused", ["json.load, gc paused", str(path)]),
        ("whole file, then convert, then rules", ["whole", str(path)]),
    ]
    rows = []
    for label, args in ways:
        code = CHILD if args[0] == "check" else BASELINE
        measured = sorted(run_child(code, args, env) for _ in range(runs))
        wall = measured[len(measured) // 2][0]
        rows.append((label, wall, max(p for _, p in measured)))
    size = path.stat().st_size / 1e6
    path.unlink()
    return size, rows


def rules_only(items: list[Item]) -> float:
    """Best of 3 CPU seconds for evaluating every item (rules and report, no I/O)."""
    engine = Engine()
    best = float("inf")
    for _ in range(3):
        gc.collect()
        started = time.process_time()
        evaluate(items, engine)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Write the file and store here (kept).")
    parser.add_argument("--runs", type=int, default=3, help="runs per export row (median)")
    options = parser.parse_args()
    workdir = options.keep or Path(tempfile.mkdtemp(prefix="refinery-check-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    items = generate(options.items, options.seed)
    export = workdir / "items.json"
    dump_items(items, export)
    url = f"sqlite:///{workdir / 'bench.db'}"
    store = open_store(url)
    store.upsert_items(items)
    store.close()
    setup = time.perf_counter() - started
    rule_seconds = rules_only(items)
    del items

    env = {k: v for k, v in os.environ.items() if not k.startswith("REFINERY_")}
    env["REFINERY_STORE__URL"] = url
    env["PYTHONPATH"] = str(ROOT)
    rows = []
    for label, args in (("check FILE (Refinery JSON)", [str(export)]), ("check (store)", [])):
        wall, peak, document = run_check(args, env, workdir / "out.json")
        rows.append((label, document["items"], len(document["findings"]), wall, peak))

    size_mb = export.stat().st_size / 1e6
    print(f"{options.items:,} generated items (setup {setup:.1f} s; file {size_mb:.0f} MB)")
    head = f"{'run':<28} {'open items':>10} {'findings':>9} {'wall s':>7} {'items/s':>9}"
    print(f"{head} {'peak MB':>8}")
    for label, open_items, findings, wall, peak in rows:
        rate = options.items / wall
        print(
            f"{label:<28} {open_items:>10,} {findings:>9,} {wall:>7.2f} {rate:>9,.0f} {peak:>8.0f}"
        )
    print(
        f"{'rules only (in memory)':<28} {'':>10} {'':>9} {rule_seconds:>7.2f} "
        f"{options.items / rule_seconds:>9,.0f} {'':>8}"
    )
    size, export_rows = jira_export_rows(workdir, options.items, env, options.runs)
    with open("/proc/loadavg") as loadavg:
        load = " ".join(loadavg.read().split()[:3])
    print(
        f"\nsaved Jira export: {options.items:,} issues in pages of 100, {size:.0f} MB; "
        f"each way in its own process, median wall of {options.runs}, highest peak; load {load}"
    )
    plain = next(wall for label, wall, _ in export_rows if label == "json.load (plain)")
    paused = next(wall for label, wall, _ in export_rows if label == "json.load, gc paused")
    print(f"{'way':<38} {'wall s':>7} {'peak MB':>8} {'x json.load':>12} {'x gc paused':>12}")
    for label, wall, peak in export_rows:
        print(f"{label:<38} {wall:>7.2f} {peak:>8.0f} {wall / plain:>12.2f} {wall / paused:>12.2f}")
    if not options.keep:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
