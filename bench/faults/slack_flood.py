"""Unsigned, deeply nested 600 KB bodies at a real `refinery serve`'s POST /slack/events:
every answer must be 401 and the server's resident memory must not grow with them."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.faults.webhook_kill import Server, free_port


@dataclass
class Outcome:
    statuses: dict[int, int] = field(default_factory=dict)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    rss_peak_mb: float = 0.0

    @property
    def growth_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb

    def line(self) -> str:
        answers = ", ".join(f"{n} x {status}" for status, n in sorted(self.statuses.items()))
        return (
            f"answers: {answers}; server RSS {self.rss_before_mb:.0f} MB before, "
            f"{self.rss_peak_mb:.0f} MB peak, {self.rss_after_mb:.0f} MB after "
            f"(growth {self.growth_mb:+.1f} MB)"
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(workdir: Path, *, count: int = 64, size: int = 600_000, threads: int = 8) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = workdir / "refinery.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///{workdir / "refinery.db"}"

[slack]
bot_token = "xoxb-bench"
signing_secret = "bench-signing-secret"
api_url = "http://127.0.0.1:9/api/"

[server]
port = {port}
threads = 8
"""
    )
    server = Server(config, port, workdir / "serve.log")
    server.start()
    assert server.process is not None
    pid = server.process.pid
    outcome = Outcome()
    half = size // 2
    nested = ("[" * half + "]" * half).encode()
    form = b"payload=" + ("%5B" * (half // 3) + "%5D" * (half // 3)).encode()
    lock = threading.Lock()
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.05):
            peak = rss_mb(pid)
            with lock:
                outcome.rss_peak_mb = max(outcome.rss_peak_mb, peak)

    def send(n: int) -> None:
        body, kind = (
            (nested, "application/json") if n % 2 else (form, "application/x-www-form-urlencoded")
        )
        headers = {"Content-Type": kind}
        if n % 4 == 1:
            headers["X-Slack-Request-Timestamp"] = "not-a-number"
            headers["X-Slack-Signature"] = "v0=00"
        request = urllib.request.Request(
            f"{server.url}/slack/events", data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status = int(answer.status)
        except urllib.error.HTTPError as exc:
            status = int(exc.code)
        except OSError:
            status = 0
        with lock:
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1

    try:
        import time

        time.sleep(3)  # let the warm-up (a report in a child process) settle first
        outcome.rss_before_mb = rss_mb(pid)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(send, range(count)))
        time.sleep(1)
        outcome.rss_after_mb = rss_mb(pid)
        stop.set()
        watcher.join()
    finally:
        server.stop()
    return outcome
