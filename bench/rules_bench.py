"""Benchmark the builtin rules on 100,000 varied items, and text analysis per format.

Run: .venv/bin/python bench/rules_bench.py [--items 100000] [--seed 7]
Rule time is Engine.evaluate over items whose text and sections are already extracted (as
connectors store them); analyze() is timed separately per description format.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.item import Item
from connectors.text import analyze
from rules.engine import Engine

WHY = [
    "Shoppers abandon checkout when shipping costs appear late, because they feel tricked.",
    "As a returning customer I want my cart saved so that I can finish on my phone.",
    "Support gets about {n} tickets a week about password resets.",
    "This will let account managers see renewals {n} days before they lapse.",
    "Agents currently have to copy order numbers by hand into the refund form.",
]
TEMPLATE = [
    "As a <role> I want <goal> so that <benefit>",
    "[describe the value]",
    "TBD",
]
OUTCOME = [
    "Raise checkout conversion from 2.{n}% to 2.{m}%.",
    "Cut support tickets by {n}%.",
    "Search p95 under {n}00 ms.",
    "Reduce churn below {n}% for annual plans.",
]
DETAIL = [
    "The button sits under the order summary and uses the primary colour.",
    "Use the existing pagination component; {n} rows per page.",
    "Upgrade the client library to version {n} first (see #{n}{m}).",
    "Step {n}: migrate the data, then switch the read path behind a flag.",
    "Error messages follow the style guide; copy is reviewed by the content team.",
    "The API returns JSON; fields are documented in the OpenAPI file.",
    "Keep the old endpoint until release {n}.{m} so mobile clients can move over.",
]
CHECKS = ["cart survives logout", "works on mobile", "{n} items max", "screen reader labels"]


def sentence(rng: random.Random, pool: list[str]) -> str:
    return rng.choice(pool).format(n=rng.randint(1, 9), m=rng.randint(1, 9))


def description(rng: random.Random) -> tuple[Any, str]:
    """A description with (or without) a why, an outcome and acceptance criteria, in a format."""
    parts: dict[str, list[str]] = {
        "Details": [sentence(rng, DETAIL) for _ in range(rng.randint(1, 8))]
    }
    roll = rng.random()
    if roll < 0.4:
        parts["Why"] = [sentence(rng, WHY)]
    elif roll < 0.55:
        parts["Why"] = [sentence(rng, TEMPLATE)]
    if rng.random() < 0.4:
        parts["Outcome"] = [sentence(rng, OUTCOME)]
    checks = [sentence(rng, CHECKS) for _ in range(rng.randint(0, 5))]
    fmt = rng.choice(["markdown", "markdown", "adf", "adf", "wiki", "plain"])
    if fmt == "markdown":
        body = "\n\n".join(f"## {h}\n\n" + "\n".join(s) for h, s in parts.items())
        body += "".join(f"\n- [ ] {c}" for c in checks)
        return body, fmt
    if fmt == "wiki":
        body = "\n".join(f"h2. {h}\n" + "\n".join(s) for h, s in parts.items())
        return body + "".join(f"\n* {c}" for c in checks), fmt
    if fmt == "plain":
        return "\n".join(f"{h}: " + " ".join(s) for h, s in parts.items()), fmt
    content: list[dict[str, Any]] = []
    for heading, sentences in parts.items():
        content.append(
            {
                "type": "heading",
                "attrs": {"level": 2},
                "content": [{"type": "text", "text": heading}],
            }
        )
        content += [
            {"type": "paragraph", "content": [{"type": "text", "text": s}]} for s in sentences
        ]
    if checks:
        items = [
            {
                "type": "listItem",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": c}]}],
            }
            for c in checks
        ]
        content.append({"type": "bulletList", "content": items})
    return {"type": "doc", "version": 1, "content": content}, fmt


def make_items(count: int, rng: random.Random) -> list[Item]:
    """Items as a connector would store them: text and sections already extracted."""
    pool = [description(rng) for _ in range(3000)]
    analyzed = [analyze(d, f) for d, f in pool]
    kinds = ["story"] * 5 + ["task"] * 2 + ["bug", "epic", "feature", "subtask"]
    items = []
    for i in range(count):
        n = rng.randrange(len(pool))
        text = analyzed[n]
        kind = rng.choice(kinds)
        labels = tuple(
            rng.sample(
                ["ux", "backend", "size/M", "estimate: 3", "tech-debt", "api"], rng.randint(0, 3)
            )
        )
        items.append(
            Item(
                source=rng.choice(["jira", "github"]),
                key=f"PAY-{i}",
                title=f"{rng.choice(['Add', 'Fix', 'Improve', 'Refactor'])} item {i}",
                kind=kind,  # type: ignore[arg-type]
                type=kind.title(),
                project="PAY",
                status_category=rng.choice(["todo", "todo", "in_progress", "done"]),
                description=pool[n][0],
                description_format=pool[n][1],  # type: ignore[arg-type]
                text=f"{text.plain}\nRef {i}.",  # every item's text is its own string
                sections=text.sections,
                estimate=rng.choice([None, None, 0.0, 1.0, 3.0, 5.0]),
                time_estimate=rng.choice([None, None, 3600.0]),
                labels=labels,
            )
        )
    return items


def bench_analyze(rng: random.Random) -> list[tuple[str, int, float, float]]:
    rows = []
    samples = [description(rng) for _ in range(20000)]
    for fmt in ("adf", "wiki", "markdown", "plain"):
        docs = [d for d, f in samples if f == fmt][:2000]
        size = sum(len(str(d)) for d in docs)
        start = time.process_time()
        for doc in docs:
            analyze(doc, fmt)
        elapsed = time.process_time() - start
        rows.append((fmt, len(docs), elapsed / len(docs) * 1e6, size / len(docs)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    items = make_items(args.items, rng)
    engine = Engine()
    engine.evaluate(items[0])  # warm-up: compiles and caches label patterns
    gc.collect()
    gc.freeze()  # the items live as long as the run; the collector need not rescan them
    runs: list[tuple[float, float]] = []
    counts: Counter[str] = Counter()
    for _ in range(args.repeat):
        counts.clear()
        start, cpu_start = time.perf_counter(), time.process_time()
        for item in items:
            for finding in engine.evaluate(item):
                counts[finding.rule] += 1
        # CPU time of this one thread ("one core"); wall time suffers from other processes.
        runs.append((time.process_time() - cpu_start, time.perf_counter() - start))
    elapsed, wall = min(runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

    print(f"{'items':<28}{len(items):>12,}")
    print(f"{'runs (CPU s)':<28}{' '.join(f'{cpu:.3f}' for cpu, _ in runs):>12}")
    print(f"{'rule time, CPU (s), best':<28}{elapsed:>12.3f}")
    print(f"{'rule time, wall (s)':<28}{wall:>12.3f}")
    print(f"{'items/s (CPU)':<28}{len(items) / elapsed:>12,.0f}")
    print(f"{'load average (1 min)':<28}{os.getloadavg()[0]:>12.2f}")
    print(f"{'peak RSS (MB)':<28}{peak_mb:>12.1f}")
    for rule_id, count in sorted(counts.items()):
        print(f"{'findings ' + rule_id:<28}{count:>12,}")
    print()
    print(f"{'analyze()':<12}{'docs':>8}{'us/doc CPU':>12}{'avg chars':>12}")
    for fmt, docs, micros, chars in bench_analyze(rng):
        print(f"{fmt:<12}{docs:>8}{micros:>12.1f}{chars:>12.0f}")


if __name__ == "__main__":
    main()
