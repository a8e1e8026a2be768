"""The one fake GitHub REST API for the tests, on `responses` at the transport.

It answers what GitHub answers, in the recorded shapes (tests/fixtures/github, see
../SOURCES.md): a repository's issue list (filtered, sorted and paged like GitHub, with
rate-limit headers and Link pages) and an issue's comments (listed 30 a page by default, at
most 100, with Link pages to /repositories/{id}/...; created, edited and deleted). Served at
api.github.com (PyGithub writes the default port: api.github.com:443) or at a GitHub
Enterprise style base URL.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import responses
from requests import PreparedRequest

from bench.stubs.github_stub import list_page
from tests.fakes.comments import Answer, Call, CommentLog

API = "https://api.github.com"
TOKEN = "ghp_TESTSECRET0123456789"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
COMMENTS_PATH = re.compile(r"/(repos/([^/]+/[^/]+)|repositories/(\d+))/issues/(\d+)/comments")


def _base(api: str) -> str:
    """A pattern for the base URL (PyGithub writes :443 for api.github.com)."""
    if api == API:
        return r"https://api\.github\.com(?::443)?"
    return re.escape(api)


def at(path: str, api: str = API) -> re.Pattern[str]:
    """Match an API path with any query."""
    return re.compile(rf"{_base(api)}{re.escape(path)}(\?.*)?$")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeGithub(CommentLog):
    """One repository's issue list, and the comments of any issue (keyed "owner/repo#n")."""

    def __init__(
        self,
        rsps: responses.RequestsMock,
        issues: Sequence[dict[str, Any]] = (),
        repo: str = "acme/shop",
        api: str = API,
    ) -> None:
        self.api = api
        self.issues = list(issues)
        self.repo = repo
        self.remaining = 4000
        self.reset = int(time.time()) + 1800
        self.queries: list[dict[str, str]] = []
        # Scripted answers by issue-list request number (1-based), e.g. a 403 on the second.
        self.script: dict[int, tuple[int, dict[str, str], dict[str, Any]]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[Call] = []  # requests to the comment endpoints
        self.ids = count(10001)
        base = _base(api)
        listing = re.compile(rf"{base}/(repos/{re.escape(repo)}|repositories/1)/issues(\?|$)")
        rsps.add_callback(responses.GET, listing, callback=self._list_issues)
        # The repository id in Link URLs: 1 for `repo`, as the issue list's Link pages say.
        self.repo_ids: dict[str, str] = {"1": repo}
        named = rf"{base}/(?:repos/[^/]+/[^/]+|repositories/\d+)/issues/\d+/comments"
        single = re.compile(rf"{base}/repos/[^/]+/[^/]+/issues/comments/(\d+)$")
        rsps.add_callback(responses.GET, re.compile(rf"{named}(\?.*)?$"), self._list_comments)
        rsps.add_callback(responses.POST, re.compile(rf"{named}$"), self._add_comment)
        rsps.add_callback(responses.PATCH, single, self._edit_comment)
        rsps.add_callback(responses.DELETE, single, self._delete_comment)

    # -- the issue list ---------------------------------------------------------------------

    def _list_issues(self, request: PreparedRequest) -> Answer:
        query = dict(parse_qsl(urlsplit(str(request.url)).query))
        self.queries.append(query)
        if len(self.queries) in self.script:
            status, headers, body = self.script[len(self.queries)]
            return status, headers, json.dumps(body)
        rows, link = list_page(self.issues, query, self.api)
        self.remaining -= 1
        headers = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Resource": "core",
        }
        if link:
            headers["Link"] = link
        return 200, headers, json.dumps(rows)

    def touch(self, numbers: list[int], when: str) -> None:
        """Edit these issues now: their updated_at moves to `when`."""
        for issue in self.issues:
            if issue["number"] in numbers:
                issue["updated_at"] = when

    # -- comments ---------------------------------------------------------------------------

    def _key(self, call: Call) -> str:
        found = re.search(
            r"/(repos/([^/]+/[^/]+)|repositories/(\d+))/issues/(\d+)/comments", call.path
        )
        assert found is not None
        repo = found.group(2) or self.repo_ids[found.group(3)]
        return f"{repo}#{found.group(4)}"

    def _repo_id(self, repo: str) -> str:
        for repo_id, name in self.repo_ids.items():
            if name == repo:
                return repo_id
        repo_id = str(len(self.repo_ids) + 1)
        self.repo_ids[repo_id] = repo
        return repo_id

    def _list_comments(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        key = self._key(call)
        found = self.comments.get(key, [])
        query = dict(parse_qsl(call.query))
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        headers = {}
        if page * per_page < len(found):
            # GitHub links the next page by repository id.
            repo_id = self._repo_id(key.split("#")[0])
            params = urlencode({**query, "page": str(page + 1)})
            number = key.split("#")[1]
            next_url = f"{self.api}/repositories/{repo_id}/issues/{number}/comments?{params}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        rows = found[(page - 1) * per_page : page * per_page]
        return 200, headers, json.dumps(rows)

    def _add_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        comment = {"id": next(self.ids), "body": call.body["body"], "user": {"login": "bot"}}
        self.comments.setdefault(self._key(call), []).append(comment)
        return 201, {}, json.dumps(comment)

    def _edit_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        try:
            _, comment = self.find(call.path.rsplit("/", 1)[1])
        except KeyError:
            return _not_found()
        comment["body"] = call.body["body"]
        return 200, {}, json.dumps(comment)

    def _delete_comment(self, request: PreparedRequest) -> Answer:
        call = self._note(request)
        try:
            key, comment = self.find(call.path.rsplit("/", 1)[1])
        except KeyError:
            return _not_found()
        self.comments[key].remove(comment)
        return 204, {}, ""


def _not_found() -> Answer:
    body = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
    return 404, {}, json.dumps(body)
