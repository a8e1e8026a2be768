"""Measure how fast `refinery serve` acknowledges slash commands against a large store.

Run: .venv/bin/python bench/slack_ack_bench.py [--items 50000] [--requests 200]
     [--concurrency 20] [--seed 7] [--warm]

Starts the real `refinery serve` (waitress, separate process) on 127.0.0.1 with a store of
generated items and `slack.api_url` pointed at a local fake Slack, then sends signed
`/refinery health|ready|check` commands (form-encoded, as Slack does) and times each HTTP
answer (the ack Slack waits at most 3 s for). It also times the follow-up answers that arrive
at the response URLs. Target: ack p99 under 300 ms, never over 3 s.

`--client async` (the default) sends from one asyncio thread over raw sockets, a new
connection per command as Slack opens them; each ack is timed from before the connection is
opened to the last byte of the answer. `--client threads` sends from a pool of urllib threads
instead (the earlier way): there the sender's own threads compete for its GIL, and on a
loaded machine part of each figure is the sender's wait, not the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.judge import Judge  # noqa: E402
from bot.store import open_store  # noqa: E402
from connectors.item import Item, Person  # noqa: E402
from connectors.text import analyze  # noqa: E402
from rules.engine import Engine  # noqa: E402

SECRET = "bench-signing-secret"
PROJECTS = ["PAY", "OPS", "WEB", "APP", "DATA"]


def load(name: str, path: Path) -> ModuleType:
    """Import a helper from tests/slack without making tests/ a package."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


fake_slack = load("tests.fakes.slack", ROOT / "tests" / "fakes" / "slack.py")
signed = load("tests.slack.signed", ROOT / "tests" / "slack" / "signed.py")


def make_items(count: int, rng: random.Random) -> list[Item]:
    """Items with and without a why, an outcome and an estimate, in a realistic mix."""
    items = []
    for n in range(1, count + 1):
        project = PROJECTS[n % len(PROJECTS)]
        parts = [f"## Details\n\nStep {n % 7}: migrate the data, then switch the read path."]
        if rng.random() < 0.55:
            parts.append(f"## Why\n\nSupport gets about {n % 90} tickets a week about this.")
        if rng.random() < 0.45:
            parts.append(f"## Outcome\n\nCut those tickets by {n % 50 + 10}% within a month.")
        body = "\n\n".join(parts)
        text = analyze(body, "markdown")
        items.append(
            Item(
                source="jira",
                key=f"{project}-{n}",
                title=f"Generated item {n}",
                url=f"https://example.atlassian.net/browse/{project}-{n}",
                project=project,
                type="Story",
                status="To Do",
                status_category="done" if rng.random() < 0.1 else "todo",
                description=body,
                description_format="markdown",
                text=text.plain,
                sections=dict(text.sections),
                estimate=rng.choice([None, 1.0, 2.0, 3.0, 5.0, 8.0]),
                reporter=Person(id=f"acc-{n % 40}", name=f"Reporter {n % 40}"),
                rank=f"0|i{n:07d}:",
            )
        )
    return items


def run_fake_slack(conn: Connection) -> None:
    """In its own process, so the fake's work never competes with the client for one GIL."""
    slack = fake_slack.FakeSlack().start()
    conn.send((slack.api_url, slack.port))
    while conn.recv() == "count":
        conn.send(sum(1 for call in slack.calls if call.method.startswith("respond:")))
    slack.stop()
    conn.send([(call.method, call.at) for call in slack.calls])


class RemoteSlack:
    """The fake Slack in a child process; `calls()` fetches its log once it is stopped."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=run_fake_slack, args=(child,), daemon=True)
        self.process.start()
        self.api_url, self.port = self.conn.recv()

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def answered(self) -> int:
        self.conn.send("count")
        count: int = self.conn.recv()
        return count

    def stop(self) -> list[tuple[str, float]]:
        self.conn.send("stop")
        calls: list[tuple[str, float]] = self.conn.recv()
        self.process.join(timeout=10)
        return calls


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workdir: Path, db: Path, api_url: str, port: int) -> subprocess.Popen[bytes]:
    config = workdir / "refinery.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n\n'
        f'[slack]\napi_url = "{api_url}"\npo_users = ["UPO"]\nintake_channel = "CINTAKE"\n'
    )
    env = {
        **os.environ,
        "REFINERY_SLACK__BOT_TOKEN": "xoxb-bench",
        "REFINERY_SLACK__SIGNING_SECRET": SECRET,
        "PYTHONPATH": os.pathsep.join(
            [p for p in (os.environ.get("BENCH_SERVER_PATH"), str(ROOT)) if p]
        ),
    }
    code = "from bot.cli.main import main; main()"
    command = [sys.executable, "-c", code, "serve", "--port", str(port), "--config", str(config)]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("refinery serve exited early") from None
            time.sleep(0.2)
    process.kill()
    raise SystemExit("refinery serve did not come up within 60 s")


def request_bytes(port: int, body: str, headers: dict[str, str]) -> bytes:
    """One POST /slack/events as the bytes on the wire (Connection: close)."""
    lines = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body.encode())}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def send_async(
    port: int, prepared: list[bytes], concurrency: int
) -> list[tuple[float, float, int]]:
    """Send the prepared requests, `concurrency` at a time, from this one thread; return
    (sent at, seconds to the whole answer, HTTP status) for each, in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(raw: bytes) -> tuple[float, float, int]:
        async with gate:
            sent = time.monotonic()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw)
            await writer.drain()
            answer = await reader.read()  # the server closes after answering
            elapsed = time.monotonic() - sent
            writer.close()
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
            return sent, elapsed, status

    return await asyncio.gather(*(one(raw) for raw in prepared))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def spread(values: list[float], digits: int) -> str:
    points = [("p50", pct(values, 50)), ("p95", pct(values, 95)), ("p99", pct(values, 99))]
    points.append(("max", max(values)))
    return "  ".join(f"{name} {value:.{digits}f}" for name, value in points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--client", choices=("async", "threads"), default="async")
    parser.add_argument(
        "--unjudged",
        action="store_true",
        help="leave the store's verdicts to the server (it re-evaluates all items in the "
        "background while the burst runs, as after a rules change); by default the store is "
        "judged first, as a synced store is",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="wait until the first report is computed before the burst (steady state); "
        "by default the burst starts while the server still computes it (cold start)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    workdir = Path(tempfile.mkdtemp(prefix="refinery-slack-bench-"))
    db = workdir / "bench.db"
    started = time.perf_counter()
    store = open_store(f"sqlite:///{db}")
    items = make_items(args.items, rng)
    for start in range(0, len(items), 5000):
        store.upsert_items(items[start : start + 5000])
    if not args.unjudged:
        Judge(store, Engine()).refresh()  # the server's rules: the defaults
    store.close()
    print(f"store: {args.items} items in {time.perf_counter() - started:.1f} s ({db})")

    slack = RemoteSlack()
    port = free_port()
    server = start_server(workdir, db, slack.api_url, port)
    sender = signed.SlackSender(f"http://127.0.0.1:{port}", slack)
    keys = [item.key for item in rng.sample(items, 50)]
    texts = ["health", "ready 10", "health PAY"] + [f"check {key}" for key in keys[:3]]

    def text_of(index: int) -> str:
        return texts[index % len(texts)] if index % 3 else f"check {keys[index % len(keys)]}"

    def one(index: int) -> tuple[str, float, float, int]:
        text = text_of(index)
        body = signed.slash_body(text, "UBENCH", slack.response_url(f"r{index}"))
        headers = signed.signed_headers(body, secret=SECRET)
        sent = time.monotonic()
        reply = sender.raw(body, headers)
        return text.split()[0], sent, time.monotonic() - sent, reply.status

    def all_async() -> list[tuple[str, float, float, int]]:
        prepared = []
        for index in range(args.requests):  # signed up front: the burst sends only bytes
            body = signed.slash_body(text_of(index), "UBENCH", slack.response_url(f"r{index}"))
            prepared.append(request_bytes(port, body, signed.signed_headers(body, secret=SECRET)))
        timed = asyncio.run(send_async(port, prepared, args.concurrency))
        return [(text_of(i).split()[0], *timed[i]) for i in range(args.requests)]

    try:
        if args.warm:
            body = signed.slash_body("health", "UBENCH", slack.response_url("warm"))
            sender.raw(body, signed.signed_headers(body, secret=SECRET))
            while slack.answered() < 1:
                time.sleep(0.1)
        with open("/proc/loadavg") as loadavg:
            load = " ".join(loadavg.read().split()[:3])
        server_cpu = _cpu_seconds(server.pid)
        wall = time.perf_counter()
        if args.client == "async":
            results = all_async()
        else:
            with ThreadPoolExecutor(args.concurrency) as pool:
                results = list(pool.map(one, range(args.requests)))
        wall = time.perf_counter() - wall
        server_cpu = _cpu_seconds(server.pid) - server_cpu
        deadline = time.monotonic() + 600
        expected = args.requests + (1 if args.warm else 0)
        while slack.answered() < expected and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        calls = slack.stop()

    acks = [latency * 1000 for _, _, latency, _ in results]
    statuses = {status for *_, status in results}
    arrivals = {method.removeprefix("respond:"): at for method, at in calls}
    answers = [(arrivals[f"r{i}"] - results[i][1]) * 1000 for i in range(args.requests)]
    print(
        f"{args.requests} signed slash commands, {args.concurrency} at a time ({args.client} "
        f"client), against {args.items} items ({'warm' if args.warm else 'cold'} report "
        f"cache{', store not judged' * args.unjudged}); HTTP statuses {sorted(statuses)}; "
        f"burst {wall:.2f} s, server CPU in it {server_cpu:.2f} s; load before it {load}"
    )
    print(f"ack  ms: {spread(acks, 1)}  mean {statistics.mean(acks):.1f}")
    print(f"answer ms (response_url): {spread(answers, 0)}")
    for kind in sorted({k for k, *_ in results}):
        mine = [a for (k, *_), a in zip(results, acks, strict=True) if k == kind]
        done = [a for (k, *_), a in zip(results, answers, strict=True) if k == kind]
        print(
            f"  {kind:<7} n={len(mine):<4} ack p50 {pct(mine, 50):.1f}  p99 {pct(mine, 99):.1f}"
            f"   answer p50 {pct(done, 50):.0f}  max {max(done):.0f}"
        )
    ok = pct(acks, 99) < 300 and max(acks) < 3000 and statuses == {200}
    print("target (p99 < 300 ms, max < 3 s, all 200):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
