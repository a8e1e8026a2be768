"""A local Slack Web API on 127.0.0.1 that records chat.postMessage calls and fails on cue."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeSlackApi:
    """Answers chat.postMessage; `errors` maps a channel to the Slack error code it gets."""

    def __init__(self, errors: dict[str, str] | None = None) -> None:
        self.errors = dict(errors or {})
        self.calls: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with lock:
                    fake.calls.append({"method": self.path.rsplit("/", 1)[-1], **body})
                    fake.tokens.append(self.headers.get("Authorization", ""))
                    ts = f"1700000000.{len(fake.calls):06d}"
                error = fake.errors.get(body.get("channel", ""))
                if error == "ratelimited":
                    self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"})
                elif error:
                    self._send(200, {"ok": False, "error": error})
                else:
                    self._send(200, {"ok": True, "channel": body.get("channel"), "ts": ts})

            def _send(
                self, status: int, answer: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def to(self, channel: str) -> list[dict[str, Any]]:
        return [call for call in self.calls if call.get("channel") == channel]

    def __enter__(self) -> FakeSlackApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
