"""A local stand-in for Slack: the Web API at /api/<method> and response URLs, recording calls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

FORM_ONLY = {"chat.getPermalink", "users.lookupByEmail", "usergroups.users.list"}


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage") or "respond:<name>" for a response URL
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived (for the benchmark)


class FakeSlack:
    """Answers every Web API call with ok: true (plus what callers read) and keeps a log."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.usergroup_members: list[str] = []
        self.fail: dict[str, str] = {}  # method -> Slack error code to answer with
        self.socket_url = ""  # what apps.connections.open hands out (a local Socket Mode server)
        self._lock = threading.Lock()
        self._ts = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                as_json = "json" in (self.headers.get("Content-Type") or "")
                params = json.loads(raw or "{}") if as_json else dict(parse_qsl(raw))
                path = self.path.split("?", 1)[0]
                if path.startswith("/respond/"):
                    fake._record(Call("respond:" + path.removeprefix("/respond/"), params))
                    self._send(200, b"ok", "text/plain")
                    return
                method = path.removeprefix("/api/")
                if as_json and method in FORM_ONLY:
                    # Slack reads these methods' arguments from the form (or query) only.
                    fake._record(Call(method, params))
                    answer = {"ok": False, "error": "invalid_arguments"}
                else:
                    answer = fake._answer(method, params)
                self._send(200, json.dumps(answer).encode(), "application/json")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._record(Call(method, params))
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T111"}
        if method in ("chat.postMessage", "chat.update"):
            with self._lock:
                self._ts += 1
                ts = params.get("ts") or f"1700000000.{self._ts:06d}"
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V123"}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": list(self.usergroup_members)}
        if method == "users.lookupByEmail":
            email = str(params.get("email", ""))
            if email.startswith("nobody"):
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": "U" + email.split("@")[0].upper()}}
        if method == "apps.connections.open":
            if not self.socket_url:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_url}
        if method == "chat.getPermalink":
            return {"ok": True, "permalink": "https://example.slack.com/archives/C1/p1"}
        return {"ok": True}

    # -- reading the log -----------------------------------------------------------------------

    def to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(
        self, check: Callable[[], Any], what: str = "the expected call", timeout: float = 15.0
    ) -> Any:
        """Wait until `check()` is truthy (work after the ack is asynchronous) and return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; calls: {self.calls!r}")
