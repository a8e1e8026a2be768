"""A local stub of Jira Cloud's comment API (127.0.0.1 only) for the webhook fault runs.

Serves serverInfo, myself, the field list, and an issue's comments: GET (paged, `startAt` /
`maxResults`, no comment properties unless `expand=properties` is asked, as the API does),
POST and PUT. It keeps every comment, so a run can count the comments each issue received.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "jira"
COMMENTS = re.compile(r"^/rest/api/[23]/issue/([A-Z][A-Z0-9]*-\d+)/comment(?:/(\d+))?$")


class JiraComments:
    """Comments per issue key behind a threaded HTTP server."""

    def __init__(self) -> None:
        self.fields = (FIXTURES / "field_list_real.json").read_bytes()
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.requests = 0
        self.lock = threading.Lock()
        self._next = 10_000
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                stub._serve(self, "GET")

            def do_POST(self) -> None:
                stub._serve(self, "POST")

            def do_PUT(self) -> None:
                stub._serve(self, "PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {key: len(found) for key, found in self.comments.items()}

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}") if length else {}
        with self.lock:
            self.requests += 1
            status, answer = self._route(method, url.path, parse_qs(url.query), body)
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        if path.endswith("/serverInfo"):
            return 200, {"deploymentType": "Cloud", "versionNumbers": [1001, 0, 0]}
        if path.endswith("/myself"):
            return 200, {"accountId": "bench", "displayName": "Refinery", "timeZone": "UTC"}
        if path.endswith("/field"):
            return 200, self.fields
        found = COMMENTS.match(path)
        if not found:
            return 404, {"errorMessages": [f"stub: no route for {method} {path}"]}
        key, comment_id = found.groups()
        comments = self.comments.setdefault(key, [])
        if method == "GET":
            start = int((query.get("startAt") or ["0"])[0])
            size = min(int((query.get("maxResults") or ["50"])[0]), 100)
            expand = "properties" in (query.get("expand") or [""])[0]
            page = [
                c if expand else {k: v for k, v in c.items() if k != "properties"}
                for c in comments[start : start + size]
            ]
            return 200, {
                "startAt": start,
                "maxResults": size,
                "total": len(comments),
                "comments": page,
            }
        if method == "POST":
            self._next += 1
            comment = {
                "id": str(self._next),
                "body": body.get("body"),
                "properties": body.get("properties", []),
            }
            comments.append(comment)
            return 201, comment
        for comment in comments:
            if comment["id"] == comment_id:
                comment["body"] = body.get("body")
                return 200, comment
        return 404, {"errorMessages": ["comment not found"]}
