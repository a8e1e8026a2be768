"""The fault suite: accepted webhooks survive a kill and a database outage, unsigned floods cost
nothing, and a leader that loses its lock runs no tick twice. Prints one line per run.

    .venv/bin/python bench/fault_suite.py [--webhooks 200] [--kill-after 100] [--kills 20]
        [--pg-outage 10]   # also stop the local PostgreSQL for that many seconds (root only)

Everything talks to 127.0.0.1: stub Jira and Slack, `refinery serve` in a child process.
`--pg-outage` runs `pg_ctlcluster 15 main stop`, waits, and always starts it again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def pg_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:
        return False


def pg_schema(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    return f"{PG_ADMIN}?options=-csearch_path%3D{name}"


def drop_schema(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def stop_postgres_for(seconds: float) -> None:
    """Stop the local cluster, wait, and start it again whatever happens."""
    subprocess.run(["pg_ctlcluster", "15", "main", "stop", "-m", "fast"], check=True)
    try:
        time.sleep(seconds)
    finally:
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhooks", type=int, default=200)
    parser.add_argument("--kill-after", type=int, default=100)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pg-outage", type=float, default=0.0)
    parser.add_argument("--pg-webhooks", type=int, default=50)
    args = parser.parse_args()

    from bench.faults import leader_kill, slack_flood, webhook_kill

    work = Path(tempfile.mkdtemp(prefix="refinery-faults-"))
    print(f"fault suite, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; logs in {work}")

    kill = webhook_kill.run(work / "kill", count=args.webhooks, kill_after=args.kill_after)
    print(f"SIGKILL after the {args.kill_after}th 202 (SQLite): {kill.line()}")

    flood = slack_flood.run(work / "flood")
    print(f"64 unsigned 600 KB nested bodies at /slack/events: {flood.line()}")

    if not pg_reachable():
        print("PostgreSQL not reachable at 127.0.0.1:5432: leader and outage runs skipped")
        return
    for label, fenced in (("fenced (this code)", True), ("unfenced (check and tick off)", False)):
        schema = f"faults_{uuid.uuid4().hex[:8]}"
        url = pg_schema(schema).replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            if fenced:
                outcome = leader_kill.run(url, PG_ADMIN, kills=args.kills)
            else:
                outcome = _unfenced(leader_kill, url, args.kills)
        finally:
            drop_schema(schema)
        print(f"leader lock connection killed, {label}: {outcome.line()}")

    if args.pg_outage > 0:
        schema = f"faults_{uuid.uuid4().hex[:8]}"
        url = pg_schema(schema)
        try:
            outage = webhook_kill.run(
                work / "outage",
                count=args.pg_webhooks,
                kill_after=None,
                store_url=url,
                outage=lambda: stop_postgres_for(args.pg_outage),
                outage_after=10,
            )
        finally:
            if not pg_reachable():
                subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False)
            drop_schema(schema)
        print(f"PostgreSQL stopped {args.pg_outage:g} s after the 10th 202: {outage.line()}")


def _unfenced(leader_kill: object, url: str, kills: int) -> object:
    """The same run with the fence switched off: what the leader did before it existed."""
    from bench.faults.leader_kill import run
    from bot.scheduler.leader import PostgresLeader
    from bot.scheduler.runner import SchedulerRunner

    check, claim = PostgresLeader.still_leader, SchedulerRunner._claim_tick
    PostgresLeader.still_leader = lambda self: True  # type: ignore[method-assign]
    SchedulerRunner._claim_tick = lambda self, job, fire: True  # type: ignore[method-assign]
    try:
        return run(url, PG_ADMIN, kills=kills)
    finally:
        PostgresLeader.still_leader = check  # type: ignore[method-assign]
        SchedulerRunner._claim_tick = claim  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
