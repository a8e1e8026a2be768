"""A local stub Jira (127.0.0.1 only) for benchmarks: generated issues, real payload shapes.

Serves serverInfo, myself, field, search/approximate-count, the enhanced /search/jql (token
paging, GET and POST) and the legacy /rest/api/2/search (offset paging), with a fixed delay
per request to stand in for network and server time. JQL support is just what Refinery and
the jira library send: `updated >= "yyyy/MM/dd HH:mm"` (in the stub user's time zone),
`statusCategory != Done`, and `ORDER BY updated ASC, key ASC` (else key order).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "jira"
UPDATED = re.compile(r'updated >= "(\d{4}/\d\d/\d\d \d\d:\d\d)"')
SEARCH_PATHS = ("/rest/api/3/search/jql", "/rest/api/2/search/jql", "/rest/api/2/search")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def jira_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class JiraStub:
    """Generated issues behind a threaded HTTP server on 127.0.0.1; counts what it serves."""

    def __init__(
        self,
        issues: int = 10_000,
        delay: float = 0.05,
        deployment: str = "Cloud",
        time_zone: str = "Europe/Berlin",
    ) -> None:
        self.delay = delay
        self.deployment = deployment
        self.time_zone = time_zone
        self.zone = ZoneInfo(time_zone)
        self.fields = json.loads((FIXTURES / "field_list_real.json").read_text())
        recorded = json.loads((FIXTURES / "search_v3_legacy_real.trimmed.json").read_text())
        self.template = recorded["issues"][1]  # a real Cloud Story, every field present
        self.issues = [self._make(n) for n in range(1, issues + 1)]
        # Parsed `updated` per key and the sorted order, so the stub's own CPU stays small.
        self.times = {issue["key"]: _updated(issue) for issue in self.issues}
        self._by_updated: list[dict[str, Any]] | None = None
        # JSON of each issue per requested field list, and each JQL's matches: the stub's own
        # CPU (it shares the machine with the client it measures) stays near zero per request.
        self._json: dict[tuple[str, tuple[str, ...]], bytes] = {}
        self._matches: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.paths: dict[str, int] = {}
        self.server: ThreadingHTTPServer | None = None

    # -- data -------------------------------------------------------------------------------

    def _make(self, n: int) -> dict[str, Any]:
        issue: dict[str, Any] = copy.deepcopy(self.template)
        issue.update(id=str(100_000 + n), key=f"PAY-{n}")
        issue["self"] = f"http://127.0.0.1/rest/api/3/issue/{100_000 + n}"
        fields = issue["fields"]
        fields["summary"] = f"Generated story {n}"
        fields["project"]["key"] = "PAY"
        fields["updated"] = jira_time(T0 + timedelta(seconds=37 * ((n * 7919) % 10_007)))
        fields["customfield_10016"] = [1, 2, 3, 5, 8, None][n % 6]
        fields["customfield_10020"] = [{"id": 4, "name": "Sprint 4", "state": "active"}]
        fields["description"] = {
            "type": "doc",
            "version": 1,
            "content": [
                {
                    "type": "heading",
                    "attrs": {"level": 2},
                    "content": [{"type": "text", "text": "Why"}],
                },
                {
                    "type": "paragraph",
                    "content": [{"type": "text", "text": f"Customers need {n}."}],
                },
            ],
        }
        return issue

    def touch(self, fraction: float) -> int:
        """Mark every 1/fraction-th issue as updated now; return how many changed."""
        step = max(1, round(1 / fraction))
        now = jira_time(datetime.now(UTC))
        changed = 0
        for issue in self.issues[::step]:
            issue["fields"]["updated"] = now
            self.times[issue["key"]] = _updated(issue)
            issue["fields"]["summary"] += " (edited)"
            changed += 1
        with self.lock:
            self._by_updated = None
            self._json, self._matches = {}, {}
        return changed

    def reset_counts(self) -> None:
        with self.lock:
            self.requests, self.bytes, self.paths = 0, 0, {}

    # -- server -----------------------------------------------------------------------------

    def start(self) -> str:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                query = {k: ",".join(v) for k, v in parse_qs(parsed.query).items()}
                stub._serve(self, parsed.path, query)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub._serve(self, urlparse(self.path).path, body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler, path: str, args: dict[str, Any]) -> None:
        if path.startswith("/_stub/"):
            _reply(handler, 200, json.dumps(self._control(path, args)).encode())
            return
        time.sleep(self.delay)
        status, answer = self._route(path, args)
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        with self.lock:
            self.requests += 1
            self.bytes += len(payload)
            self.paths[path] = self.paths.get(path, 0) + 1
        _reply(handler, status, payload)

    def _control(self, path: str, args: dict[str, Any]) -> dict[str, Any]:
        """Uncounted bench controls: /_stub/stats, /_stub/reset, /_stub/touch?fraction=0.01."""
        if path == "/_stub/touch":
            return {"changed": self.touch(float(args.get("fraction", 0.01)))}
        if path == "/_stub/reset":
            self.reset_counts()
        with self.lock:
            return {"requests": self.requests, "bytes": self.bytes, "paths": dict(self.paths)}

    def _route(self, path: str, args: dict[str, Any]) -> tuple[int, Any]:
        tail = path.split("/rest/api/", 1)[-1].split("/", 1)[-1]
        if tail == "serverInfo":
            kind = self.deployment
            return 200, {"deploymentType": kind, "versionNumbers": [10, 3, 0], "version": "10.3.0"}
        if tail == "myself":
            return 200, {"accountId": "bench", "displayName": "Bench", "timeZone": self.time_zone}
        if tail == "field":
            return 200, self.fields
        if tail == "search/approximate-count":
            return 200, {"count": len(self._matching(str(args.get("jql", ""))))}
        if path in SEARCH_PATHS:
            return 200, self._search(path, args)
        return 404, {"errorMessages": [f"stub: no route for {path}"]}

    def _search(self, path: str, args: dict[str, Any]) -> bytes:
        fields = args.get("fields") or ["*navigable"]
        if isinstance(fields, str):
            fields = fields.split(",")
        id_only = set(fields) <= {"id", "key"}
        jql = str(args.get("jql", ""))
        with self.lock:
            matching = self._matches.get(jql)
        if matching is None:
            matching = self._matching(jql)
            with self.lock:
                self._matches[jql] = matching
        cap = (5000 if path.endswith("/jql") else 1000) if id_only else 100
        size = min(int(args.get("maxResults") or 50), cap)
        if path.endswith("/jql"):
            start = int(args.get("nextPageToken") or 0)
        else:
            start = int(args.get("startAt") or 0)
        page = b",".join(self._encoded(issue, fields) for issue in matching[start : start + size])
        if path.endswith("/jql"):
            more = start + size < len(matching)
            answer: dict[str, Any] = {"isLast": not more}
            if more:
                answer["nextPageToken"] = str(start + size)
        else:
            answer = {"startAt": start, "maxResults": size, "total": len(matching)}
        return json.dumps(answer).encode()[:-1] + b', "issues": [' + page + b"]}"

    def _encoded(self, issue: dict[str, Any], fields: list[str]) -> bytes:
        cache_key = (str(issue["key"]), tuple(fields))
        cached = self._json.get(cache_key)
        if cached is None:
            cached = self._json[cache_key] = json.dumps(self._shape(issue, fields)).encode()
        return cached

    def _matching(self, jql: str) -> list[dict[str, Any]]:
        issues = self.issues
        if "ORDER BY updated ASC, key ASC" in jql:
            with self.lock:
                if self._by_updated is None:
                    self._by_updated = sorted(self.issues, key=self._order)
                issues = self._by_updated
        found = UPDATED.search(jql)
        if found:
            since = datetime.strptime(found.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=self.zone)
            issues = [i for i in issues if self.times[i["key"]] >= since]
        if "statusCategory != Done" in jql:
            issues = [i for i in issues if i["fields"]["status"]["statusCategory"]["key"] != "done"]
        return issues

    def _order(self, issue: dict[str, Any]) -> tuple[datetime, int]:
        return self.times[issue["key"]], int(issue["key"].split("-")[1])

    def _shape(self, issue: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        shaped = {k: issue[k] for k in ("expand", "id", "self", "key")}
        wanted = set(fields)
        if wanted & {"*all", "*navigable"}:
            shaped["fields"] = issue["fields"]
        elif not wanted <= {"id", "key"}:
            shaped["fields"] = {k: v for k, v in issue["fields"].items() if k in wanted}
        return shaped


def _reply(handler: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def _run(conn: Connection, issues: int, delay: float, deployment: str) -> None:
    stub = JiraStub(issues=issues, delay=delay, deployment=deployment)
    conn.send(stub.start())
    conn.recv()  # block until the parent says stop (or goes away)
    stub.stop()


def serve_in_process(
    issues: int = 10_000, delay: float = 0.05, deployment: str = "Cloud"
) -> tuple[str, Callable[[], None]]:
    """Run the stub in its own process (its CPU must not compete with the client's GIL)."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(
        target=_run, args=(child, issues, delay, deployment), daemon=True
    )
    process.start()
    url = str(parent.recv())

    def stop() -> None:
        parent.send("stop")
        process.join(timeout=10)

    return url, stop


def _updated(issue: dict[str, Any]) -> datetime:
    return datetime.strptime(issue["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z")
