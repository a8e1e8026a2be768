"""A local GitHub REST stub on 127.0.0.1: issue lists with Link and rate-limit headers.

The listing semantics (state, since, sort=updated, direction, per_page, page, a Link header that
points at /repositories/{id}/issues like GitHub's) live in pure functions, so tests can serve the
same answers through `responses` while benchmarks serve them over real sockets.
"""

from __future__ import annotations

import bisect
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "github"
REPO_ID = 1
BODY = (
    "### Why\n\nCustomers on slow connections abandon checkout.\n\n### Outcome\n\n_No response_\n"
)


def _templates() -> tuple[dict[str, Any], dict[str, Any]]:
    """A recorded 2025 issue and a recorded pull request, to copy the real shapes from."""
    issue = json.loads((FIXTURES / "rest_list_repo_issues_type_bug_2025.json").read_text())[0]
    pull = json.loads((FIXTURES / "rest_list_repo_issues.trimmed.json").read_text())[0]
    return issue, pull


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_issues(
    count: int,
    pulls: int = 0,
    repo: str = "acme/shop",
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
) -> list[dict[str, Any]]:
    """Build `count` issues and `pulls` pull requests, each updated one minute after the last."""
    issue_t, pull_t = _templates()
    api = f"https://api.github.com/repos/{repo}"
    result = []
    total = count + pulls
    pull_at = {int((slot + 0.5) * total / pulls) for slot in range(pulls)} if pulls else set()
    for index in range(total):
        number = index + 1
        is_pull = index in pull_at
        base = dict(pull_t if is_pull else issue_t)
        base.update(
            number=number,
            id=10_000_000 + number,
            node_id=f"I_node{number}",
            title=f"Issue {number}",
            body=BODY,
            url=f"{api}/issues/{number}",
            repository_url=api,
            html_url=f"https://github.com/{repo}/{'pull' if is_pull else 'issues'}/{number}",
            labels=[],
            state="open",
            created_at=stamp(start + timedelta(minutes=index)),
            updated_at=stamp(start + timedelta(minutes=index)),
        )
        result.append(base)
    return result


def list_page(
    issues: list[dict[str, Any]], query: dict[str, str], base_url: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Answer GET .../issues like GitHub: filter, sort, slice; return (page, Link header)."""
    state = query.get("state", "open")
    since = _normal(query["since"]) if query.get("since") else None
    chosen = [
        issue
        for issue in issues
        if (state == "all" or issue["state"] == state)
        and (since is None or issue["updated_at"] > since)  # documented: updated *after*
    ]
    key = "updated_at" if query.get("sort") == "updated" else "created_at"
    chosen.sort(key=lambda issue: (issue[key], issue["number"]))
    if query.get("direction", "desc") == "desc":
        chosen.reverse()
    return _slice(chosen, query, base_url)


def _slice(
    chosen: list[dict[str, Any]], query: dict[str, str], base_url: str
) -> tuple[list[dict[str, Any]], str | None]:
    """The requested page of an already filtered and sorted list, and its Link header."""
    per_page = min(int(query.get("per_page", 30)), 100)
    page = int(query.get("page", 1))
    rows = chosen[(page - 1) * per_page : page * per_page]
    last = max(1, -(-len(chosen) // per_page))
    link = None
    if page < last:

        def url(number: int) -> str:
            params = {**query, "page": str(number)}
            return f"{base_url}/repositories/{REPO_ID}/issues?{urlencode(params)}"

        link = f'<{url(page + 1)}>; rel="next", <{url(last)}>; rel="last"'
    return rows, link


def _normal(moment: str) -> str:
    """GitHub accepts any ISO 8601 `since`; the stub compares canonical Z strings."""
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return stamp(parsed.astimezone(UTC))


@dataclass
class Canned:
    """A scripted answer for the next matching request (e.g. a 403 with Retry-After)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class GithubStub:
    """Serve issues for one repository over HTTP on 127.0.0.1, counting every request."""

    def __init__(
        self,
        issues: list[dict[str, Any]],
        repo: str = "acme/shop",
        latency: float = 0.05,
        budget: int = 1_000_000,
        cache: bool = False,
    ) -> None:
        """`cache`: keep the sorted list and each issue's JSON between requests, so the stub's
        own CPU stays out of a benchmark (call `edited()` after changing `issues`)."""
        self.issues = issues
        self.by_number = {issue["number"]: issue for issue in issues}
        self.repo = repo
        self.latency = latency
        self.remaining = budget
        self.reset = int(time.time()) + 3600
        self.canned: deque[Canned] = deque()
        self.log: list[str] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        for issue in issues:  # PyGithub follows these URLs (lazy completion): keep them local
            issue["url"] = f"{self.base_url}/repos/{repo}/issues/{issue['number']}"
            issue["repository_url"] = f"{self.base_url}/repos/{repo}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.cache = cache
        self._ordered: list[dict[str, Any]] | None = None
        self._stamps: list[str] = []
        self._json: dict[int, bytes] = {}

    def edited(self) -> None:
        """Forget the cached order and JSON after `issues` changed."""
        self._ordered, self._stamps, self._json = None, [], {}

    def _listing(self, query: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        """list_page, from the cached ascending order when the query allows it."""
        if not (self.cache and query.get("state") == "all" and query.get("sort") == "updated"):
            return list_page(self.issues, query, self.base_url)
        if query.get("direction") != "asc":
            return list_page(self.issues, query, self.base_url)
        with self.lock:
            if self._ordered is None:
                self._ordered = sorted(self.issues, key=lambda i: (i["updated_at"], i["number"]))
                self._stamps = [issue["updated_at"] for issue in self._ordered]
            ordered, stamps = self._ordered, self._stamps
        since = _normal(query["since"]) if query.get("since") else None
        start = bisect.bisect_left(stamps, since) if since else 0
        return _slice(ordered[start:], query, self.base_url)

    def encode(self, body: Any) -> bytes:
        """JSON bytes of an answer; a list of issues reuses each issue's cached JSON."""
        if not (self.cache and isinstance(body, list)):
            return json.dumps(body).encode()
        parts = []
        for issue in body:
            cached = self._json.get(issue["number"])
            if cached is None:
                cached = self._json[issue["number"]] = json.dumps(issue).encode()
            parts.append(cached)
        return b"[" + b",".join(parts) + b"]"

    def __enter__(self) -> GithubStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(
        self, method: str, path: str, query: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """Answer one request: a canned reply if one is queued, else the repository's data."""
        with self.lock:
            self.log.append(f"{method} {path}")
            self.remaining = max(self.remaining - 1, 0)
            headers = {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset),
                "X-RateLimit-Resource": "core",
            }
            if self.canned:
                canned = self.canned.popleft()
                return canned.status, canned.body, {**headers, **canned.headers}
        if path in (f"/repos/{self.repo}/issues", f"/repositories/{REPO_ID}/issues"):
            rows, link = self._listing(query)
            if link:
                headers["Link"] = link
            return 200, rows, headers
        prefix = f"/repos/{self.repo}/issues/"
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            issue = self.by_number.get(int(path[len(prefix) :]))
            return (200, issue, headers) if issue else (404, {"message": "Not Found"}, headers)
        if path == f"/repos/{self.repo}":
            full = {"id": REPO_ID, "name": self.repo.split("/")[1], "full_name": self.repo}
            return 200, {**full, "url": f"{self.base_url}/repos/{self.repo}"}, headers
        return 404, {"message": "Not Found"}, headers

    def _handler(self) -> Callable[..., BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if stub.latency:
                    time.sleep(stub.latency)
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, body, headers = stub.answer("GET", parts.path, query)
                payload = stub.encode(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:  # keep benchmark output clean
                pass

        return Handler
