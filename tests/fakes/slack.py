"""The one fake Slack for the tests, on 127.0.0.1: the Web API at /api/<method>, response URLs
at /respond/<name>, and a Socket Mode websocket server.

The Web API answers as Slack documents it (api.slack.com/web): HTTP 200 with `ok` and the
fields callers read, `ok: false` with Slack's error code on failure (HTTP 429 with Retry-After
for `ratelimited`), `not_authed` without a token, `unknown_method` for a method it does not
serve, and `invalid_arguments` for methods that take form arguments only when sent JSON.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from websockets.sync.server import Server, ServerConnection, serve

FORM_ONLY = {"chat.getPermalink", "users.lookupByEmail", "usergroups.users.list"}
# The Web API methods this fake serves; any other gets unknown_method, as from Slack.
METHODS = {
    "apps.connections.open",
    "auth.test",
    "chat.getPermalink",
    "chat.postEphemeral",
    "chat.postMessage",
    "chat.update",
    "usergroups.users.list",
    "users.lookupByEmail",
    "views.open",
}


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage") or "respond:<name>" for a response URL
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived (for the benchmark)


class FakeSlack:
    """Answers the Web API methods Refinery calls (plus what callers read) and keeps a log."""

    def __init__(self, errors: dict[str, str] | None = None) -> None:
        self.calls: list[Call] = []
        self.tokens: list[str] = []  # each Web API call's Authorization header
        self.usergroup_members: list[str] = []
        self.fail: dict[str, str] = {}  # method -> Slack error code to answer with
        # channel -> the error code posting there gets ("ratelimited": HTTP 429, Retry-After 0)
        self.errors: dict[str, str] = dict(errors or {})
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
                token = self.headers.get("Authorization") or ""
                with fake._lock:
                    fake.tokens.append(token)
                headers: dict[str, str] = {}
                status = 200
                if not token.startswith("Bearer ") and not params.get("token"):
                    fake._record(Call(method, params))
                    answer: dict[str, Any] = {"ok": False, "error": "not_authed"}
                elif as_json and method in FORM_ONLY:
                    # Slack reads these methods' arguments from the form (or query) only.
                    fake._record(Call(method, params))
                    answer = {"ok": False, "error": "invalid_arguments"}
                else:
                    answer = fake._answer(method, params)
                    if answer.get("error") == "ratelimited":
                        status, headers = 429, {"Retry-After": "0"}
                self._send(status, json.dumps(answer).encode(), "application/json", headers)

            def _send(
                self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
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

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._record(Call(method, params))
        if method not in METHODS:
            return {"ok": False, "error": "unknown_method"}
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        if method == "chat.postMessage" and str(params.get("channel", "")) in self.errors:
            return {"ok": False, "error": self.errors[str(params["channel"])]}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T111"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if not params.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not any(params.get(part) for part in ("text", "blocks", "attachments")):
                return {"ok": False, "error": "no_text"}
        if method == "chat.update":
            # An update names the message by its ts; Slack answers with that same ts.
            if not params.get("ts"):
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": params["channel"], "ts": params["ts"]}
        if method == "chat.postMessage":
            with self._lock:
                self._ts += 1
                ts = f"1700000000.{self._ts:06d}"
            return {"ok": True, "channel": params["channel"], "ts": ts}
        if method == "chat.postEphemeral":
            with self._lock:
                self._ts += 1
                return {"ok": True, "message_ts": f"1700000000.{self._ts:06d}"}
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
        raise AssertionError(f"{method} is in METHODS but has no answer")

    # -- reading the log -----------------------------------------------------------------------

    def to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def to_channel(self, channel: str, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        return [params for params in self.to(method) if params.get("channel") == channel]

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


class FakeSocketMode:
    """One websocket endpoint on 127.0.0.1; envelopes queued with send() go to the client."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link/?ticket=test"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def send(self, envelope: dict[str, Any]) -> None:
        self.outbox.put(envelope)

    def acked(self, envelope_id: str) -> bool:
        with self._lock:
            return any(ack.get("envelope_id") == envelope_id for ack in self.acks)

    def _handle(self, connection: ServerConnection) -> None:
        # As Slack does: a hello first, then events; the app acks each by envelope id.
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        while True:
            try:
                envelope = self.outbox.get(timeout=0.05)
            except queue.Empty:
                envelope = None
            if envelope is not None:
                connection.send(json.dumps(envelope))
            try:
                message = connection.recv(timeout=0.05)
            except TimeoutError:
                continue
            except Exception:
                return  # the client went away
            with self._lock:
                self.acks.append(json.loads(message))
