"""Test doubles for the GitHub connector: recorded payloads and a repository served by responses."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses
from requests import PreparedRequest

from bench.stubs.github_stub import list_page

API = "https://api.github.com"
TOKEN = "ghp_TESTSECRET0123456789"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"


def at(path: str) -> re.Pattern[str]:
    """Match an API path with any query (PyGithub writes the default port: api.github.com:443)."""
    return re.compile(rf"https://api\.github\.com(:443)?{re.escape(path)}(\?.*)?$")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class FakeRepo:
    """Serve one repository's issue list through `responses`, paged the way GitHub pages it."""

    def __init__(
        self, rsps: responses.RequestsMock, issues: list[dict[str, Any]], repo: str = "acme/shop"
    ) -> None:
        self.issues = issues
        self.repo = repo
        self.remaining = 4000
        self.reset = int(time.time()) + 1800
        self.queries: list[dict[str, str]] = []
        # Scripted answers by request number (1-based), e.g. a 403 on the second request.
        self.script: dict[int, tuple[int, dict[str, str], dict[str, Any]]] = {}
        pattern = re.compile(
            rf"https://api\.github\.com(:443)?/(repos/{re.escape(repo)}|repositories/1)/issues(\?|$)"
        )
        rsps.add_callback(responses.GET, pattern, callback=self._answer)

    def _answer(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        query = dict(parse_qsl(urlsplit(str(request.url)).query))
        self.queries.append(query)
        if len(self.queries) in self.script:
            status, headers, body = self.script[len(self.queries)]
            return status, headers, json.dumps(body)
        rows, link = list_page(self.issues, query, API)
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
