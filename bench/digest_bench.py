"""Time the weekly digest on a 100,000-item SQLite store (bot.services.digest).

    .venv/bin/python bench/digest_bench.py [--items 100000] [--repeat 3] [--seed 7]

Builds the store once (items from bench/rules_bench.py's generator, spread over four Jira
projects, owners and update times; 300 intake requests, a third of them decided; seven weekly
snapshots), then times, best and median of --repeat runs:
- build_digest for one team (the PAY project, a quarter of the store) and for a team that
  covers every project, each followed by rendering its Block Kit message and terminal text;
- build_reminder (refinement reminder) for the PAY team.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules_bench import make_items

from bot.config import Settings, TeamConfig
from bot.render.digest import digest_message, digest_terminal, reminder_message
from bot.services.digest import build_digest, build_reminder
from bot.services.intake import Destination, Intake, RequestInput
from bot.store import Store, open_store
from bot.store.models import DigestSnapshot
from connectors.item import Item, Person
from rules.engine import Engine

PROJECTS = ["PAY", "OPS", "WEB", "APP"]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PEOPLE = [Person(id=f"acc-{n}", name=f"Person {n}") for n in range(40)]


def spread(items: list[Item], rng: random.Random) -> list[Item]:
    """Give the generated items projects, keys, owners, ranks and update times."""
    result = []
    for n, item in enumerate(items):
        project = PROJECTS[n % len(PROJECTS)]
        result.append(
            dataclasses.replace(
                item,
                source="jira",
                key=f"{project}-{n // len(PROJECTS) + 1}",
                project=project,
                url=f"https://example.atlassian.net/browse/{project}-{n}",
                assignee=rng.choice([None, *PEOPLE]),
                reporter=rng.choice(PEOPLE),
                rank=f"0|i{n:07d}:",
                created=NOW - timedelta(days=rng.randint(30, 400)),
                updated=NOW - timedelta(minutes=rng.randint(0, 90 * 24 * 60)),
            )
        )
    return result


def fill(store: Store, items: list[Item], rng: random.Random) -> float:
    """Store the items, intake requests and snapshot history; return the item-load seconds."""
    started = time.perf_counter()
    for start in range(0, len(items), 1000):
        store.upsert_items(items[start : start + 1000], now=NOW)
    loaded = time.perf_counter() - started

    class Tracker:
        body_format = "markdown"

        def create_issue(self, draft: object) -> object:
            from connectors.base import Created

            return Created(key="PAY-999999", url="https://example.atlassian.net/browse/PAY-999999")

    intake = Intake(store, lambda source: Tracker(), {})  # type: ignore[arg-type,return-value]
    for n in range(300):
        row = intake.submit(RequestInput(f"Request {n}", "Customers keep asking.", f"U{n % 30}"))
        if n % 3 == 0:
            if rng.random() < 0.5:
                intake.decline(row.id, row.version, "UPO", "not now")
            else:
                intake.accept(row.id, row.version, "UPO", Destination("jira", "PAY", "Story"))
    return loaded


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    items = spread(make_items(args.items, rng), rng)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store={"url": f"sqlite:///{tmp}/digest.db"})  # type: ignore[arg-type]
        store = open_store(settings.store.url)
        loaded = fill(store, items, rng)
        engine = Engine(settings.rules)
        pay = TeamConfig(name="Payments", projects=["PAY"], channel="CPAY", sprint_capacity=30)
        every = TeamConfig(name="Everyone", projects=PROJECTS, channel="CALL")
        with store.session() as session:  # seven weeks of history, as after two months
            for team in (pay, every):
                for week in range(7, 0, -1):
                    session.add(
                        DigestSnapshot(
                            team=team.name,
                            taken_at=NOW - timedelta(weeks=week),
                            items=len(items),
                            ready=len(items) // 3 + week,
                            per_rule={"missing-why": 100 + week, "missing-outcome": 200},
                        )
                    )
        print(
            f"{args.items:,} items in SQLite (loaded in {loaded:.1f} s); best and median of "
            f"{args.repeat} runs\n"
        )
        header = f"{'what':<46} {'items':>8} {'best s':>8} {'median s':>9}"
        print(header)
        print("-" * len(header))
        for team in (pay, every):

            def digest(team: TeamConfig = team) -> object:
                data = build_digest(store, engine, settings, team, NOW)
                return digest_message(data), digest_terminal(data)

            size = sum(1 for item in items if item.project in team.projects)
            best, median = timed(digest, args.repeat)
            label = f"digest build + render, team {team.name}"
            print(f"{label:<46} {size:>8,} {best:>8.2f} {median:>9.2f}")

        def remind() -> object:
            return reminder_message(build_reminder(store, engine, settings, pay))

        size = sum(1 for item in items if item.project == "PAY")
        best, median = timed(remind, args.repeat)
        print(f"{'refinement reminder, team Payments':<46} {size:>8,} {best:>8.2f} {median:>9.2f}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak RSS {peak:.0f} MB (includes the generated items held in memory)")
        store.close()


if __name__ == "__main__":
    main()
