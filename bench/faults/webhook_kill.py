"""Signed Jira webhooks into a real `refinery serve` that is SIGKILLed, or whose PostgreSQL is
stopped, mid-stream. The sender behaves as Jira does: a delivery that got no 2xx (refused,
503, connection dropped) is sent again later. Afterwards every item must be stored and every
due comment written once, with no sync or comment run in between."""

from __future__ import annotations

import copy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from bench.stubs.jira_comments import JiraComments
from bot.store.models import ItemRow, WebhookDelivery
from bot.webhooks.signatures import sign

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "webhooks" / "fixtures" / "jira" / "webhook_issue_created.json"
SECRET = "bench-webhook-secret"


@dataclass
class Outcome:
    sent: int = 0
    accepted: int = 0  # 202s
    refused: int = 0  # 503s answered while the store could not take a delivery
    dropped: int = 0  # connection errors (the server was down)
    attempts: int = 0
    stored: int = 0
    pending: int = 0
    commented_once: int = 0
    commented_twice: int = 0
    not_commented: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.sent} webhooks, {self.attempts} attempts ({self.accepted} x 202, "
            f"{self.refused} x 503, {self.dropped} dropped connections): {self.stored}/{self.sent} "
            f"items stored, {self.commented_once} commented once, {self.commented_twice} twice, "
            f"{self.not_commented} without a comment, {self.pending} left pending "
            f"({self.seconds:.1f} s)" + ("; " + "; ".join(self.notes) if self.notes else "")
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def payloads(count: int) -> list[bytes]:
    template = json.loads(FIXTURE.read_text())
    bodies = []
    for n in range(count):
        payload = copy.deepcopy(template)
        issue = payload["issue"]
        issue["id"] = str(50_000 + n)
        issue["key"] = f"KAN-{1000 + n}"
        issue["self"] = issue["self"].rsplit("/", 1)[0] + f"/{50_000 + n}"
        issue["fields"]["summary"] = f"Fault-run story {n}"
        bodies.append(json.dumps(payload).encode())
    return bodies


class Server:
    """`refinery serve --no-scheduler` in a child process."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config, self.port, self.log = config, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = Path(sys.executable).parent / "refinery"
        self.process = subprocess.Popen(
            [str(exe), "serve", "--no-scheduler", "--config", str(self.config)],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"refinery serve did not start; see {self.log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def write_config(path: Path, store_url: str, jira_url: str, port: int) -> None:
    path.write_text(
        f"""
[store]
url = "{store_url}"
lock_timeout = 5

[jira]
url = "{jira_url}"
deployment = "cloud"
email = "bot@example.com"
api_token = "bench-token"
webhook_secret = "{SECRET}"
projects = ["KAN"]

[comments]
enabled = true
min_interval = 0

[server]
port = {port}
threads = 8
"""
    )


def run(
    workdir: Path,
    *,
    count: int = 200,
    kill_after: int | None = 100,
    store_url: str | None = None,
    outage: Callable[[], None] | None = None,
    outage_after: int = 10,
    senders: int = 4,
    settle: float = 180.0,
) -> Outcome:
    """Send `count` webhooks; SIGKILL the server after the `kill_after`th 202 and restart it,
    or call `outage()` (in a thread) after the `outage_after`th 202."""
    workdir.mkdir(parents=True, exist_ok=True)
    store_url = store_url or f"sqlite:///{workdir / 'refinery.db'}"
    stub = JiraComments()
    jira_url = stub.start()
    port = free_port()
    config = workdir / "refinery.toml"
    write_config(config, store_url, jira_url, port)
    server = Server(config, port, workdir / "serve.log")
    outcome = Outcome(sent=count)
    started = time.monotonic()
    server.start()
    bodies = payloads(count)
    queue = list(range(count))
    lock = threading.Lock()
    restarted = threading.Event()
    killed = threading.Event()
    outage_thread: threading.Thread | None = None

    def next_delivery() -> int | None:
        with lock:
            return queue.pop(0) if queue else None

    def again(n: int) -> None:
        with lock:
            queue.append(n)

    def sender() -> None:
        nonlocal outage_thread
        while True:
            n = next_delivery()
            if n is None:
                with lock:
                    if outcome.accepted >= count:
                        return
                time.sleep(0.05)
                continue
            status = post(server.url, bodies[n], f"bench-{n}")
            with lock:
                outcome.attempts += 1
                if status == 202 or status == 200:
                    outcome.accepted += 1
                    accepted = outcome.accepted
                elif status == 503:
                    outcome.refused += 1
                    accepted = -1
                else:
                    outcome.dropped += 1
                    accepted = -1
            if accepted < 0:
                time.sleep(0.5)  # Jira retries a failed delivery later
                again(n)
                continue
            if kill_after is not None and accepted == kill_after and not killed.is_set():
                killed.set()
                server.kill()  # right after the 202: no graceful anything
                server.start()
                restarted.set()
            if outage is not None and accepted == outage_after and outage_thread is None:
                outage_thread = threading.Thread(target=outage)
                outage_thread.start()

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    if outage_thread is not None:
        outage_thread.join()
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
    deadline = time.monotonic() + settle
    try:
        while time.monotonic() < deadline:
            pending, stored = _progress(engine)
            if pending == 0 and stored >= count and len(stub.counts()) >= count:
                break
            time.sleep(0.5)
        outcome.pending, outcome.stored = _progress(engine)
    finally:
        engine.dispose()
        server.stop()
        stub.stop()
    outcome.seconds = time.monotonic() - started
    counts = stub.counts()
    keys = [f"KAN-{1000 + n}" for n in range(count)]
    outcome.commented_once = sum(counts.get(key, 0) == 1 for key in keys)
    outcome.commented_twice = sum(counts.get(key, 0) > 1 for key in keys)
    outcome.not_commented = sum(counts.get(key, 0) == 0 for key in keys)
    return outcome


def _progress(engine: Any) -> tuple[int, int]:
    try:
        with engine.connect() as connection:
            pending = connection.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "pending")
            )
            stored = connection.scalar(
                select(func.count()).select_from(ItemRow).where(ItemRow.key.like("KAN-1%"))
            )
            return int(pending or 0), int(stored or 0)
    except Exception:
        return -1, -1


def post(base: str, body: bytes, delivery: str) -> int:
    request = urllib.request.Request(
        base + "/webhooks/jira",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature": sign(SECRET, body),
            "X-Atlassian-Webhook-Identifier": delivery,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0
