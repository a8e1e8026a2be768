"""kill -9 a real `refinery sync` at random moments, run it again, compare the stores.

    .venv/bin/python bench/kill_sync.py [--issues 3000] [--delay 0.02] [--points 20]

A stub Jira site (bench/stubs/jira_stub.py) serves --issues issues on 127.0.0.1, --delay seconds
per request. One uninterrupted `refinery sync` gives the reference store. Then, --points times:
a fresh store, `refinery sync` in its own process, SIGKILL after a random share of the
reference run's wall time, then `refinery sync` again to completion. Each row says how far the
killed run got (items and cursor in the store at the kill) and whether the final store equals
the reference: the same items, each once, with the same content, and the same cursor.

Kill moments are spread over the whole sync: each point picks a share of the issues (0 to
105%), waits until the killed run has stored that many (polling its SQLite file), then waits a
random 0-100 ms more, so kills land before the first page, between and inside page writes,
and after the last page (while gone items are checked and the rules run).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"  # never via a proxy

from bench.stubs.jira_stub import JiraStub  # noqa: E402
from bot.store import open_store  # noqa: E402
from tests.faults.sync_helpers import snapshot  # noqa: E402

CLI = [sys.executable, "-c", "from bot.cli.main import main; main()"]


def write_config(directory: Path, url: str, name: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{directory / name}.db"\n'
        f'[jira]\nurl = "{url}"\nemail = "bench@example.com"\nprojects = ["PAY"]\n'
        'deployment = "cloud"\nestimate_field = "customfield_10016"\n'
    )
    return path


def stored(db: Path) -> int:
    """Items in a store another process is writing (0 before its tables exist)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return int(connection.execute("SELECT count(*) FROM items").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_sync(
    config: Path, kill_at: int | None = None, extra: float = 0.0
) -> tuple[float, int | None]:
    """Run `refinery sync`; SIGKILL it `extra` s after it stored `kill_at` items.
    Return (seconds, exit code)."""
    env = {**os.environ, "REFINERY_JIRA__API_TOKEN": "not-a-secret"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CLI, "sync", "-c", str(config)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if kill_at is not None:
        db = config.with_suffix(".db")
        while process.poll() is None and stored(db) < kill_at:
            time.sleep(0.005)
        time.sleep(extra)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    _, stderr = process.communicate()
    code = process.returncode
    if code not in (0, -signal.SIGKILL):
        raise SystemExit(f"refinery sync failed ({code}): {stderr.decode()[-2000:]}")
    return time.perf_counter() - started, code


def state(config: Path) -> dict[str, object]:
    url = config.read_text().split('url = "', 1)[1].split('"', 1)[0]
    store = open_store(url)
    try:
        return snapshot(store)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--issues", type=int, default=3000)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds added per request")
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    stub = JiraStub(issues=args.issues, delay=args.delay)
    url = stub.start()
    assert url.startswith("http://127.0.0.1:") and stub.server
    stub.server.handle_error = lambda *args: None  # type: ignore[method-assign]  # killed clients reset
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        reference_config = write_config(directory, url, "reference")
        seconds, _ = run_sync(reference_config)
        reference = state(reference_config)
        items = len(reference["items"])  # type: ignore[arg-type]
        print(
            f"{args.issues} issues, {args.delay * 1000:.0f} ms per request; uninterrupted "
            f"`refinery sync`: {items} items in {seconds:.2f} s (process start included)\n"
        )
        header = (
            f"{'#':>3} {'kill after':>10} {'killed?':>8} {'stored at kill':>15} {'cursor?':>8} "
            f"{'rerun s':>8} {'items':>6} {'dupes':>6} {'equal':>6}"
        )
        print(header)
        print("-" * len(header))
        equal_runs = killed_runs = 0
        for point in range(1, args.points + 1):
            config = write_config(directory, url, f"killed-{point}")
            target = int(rng.uniform(0, 1.05) * items)
            extra = rng.uniform(0, 0.1)
            _, code = run_sync(config, target, extra)
            killed = code == -signal.SIGKILL
            killed_runs += killed
            at_kill = state(config)
            at_kill_items = len(at_kill["items"])  # type: ignore[arg-type]
            cursor = bool(at_kill["cursors"])
            rerun, _ = run_sync(config)
            final = state(config)
            equal = final == reference
            equal_runs += equal
            print(
                f"{point:>3} {min(target, items):>6} +{extra * 1000:>2.0f}ms "
                f"{'yes' if killed else 'done':>8} {at_kill_items:>15} "
                f"{'yes' if cursor else 'no':>8} {rerun:>8.2f} "
                f"{len(final['items']):>6} {final['duplicates']:>6} "  # type: ignore[arg-type]
                f"{'yes' if equal else 'NO':>6}"
            )
        print(
            f"\n{equal_runs}/{args.points} final stores equal the uninterrupted run "
            f"({killed_runs} runs were killed mid-way, the rest had finished)"
        )
    stub.stop()
    if equal_runs != args.points:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
