"""Stateful stand-ins for the Jira and GitHub comment APIs, served through `responses`.

The real JiraTracker / GithubTracker talk to them over HTTP (mocked at the transport), so the
tests go through the real connectors; the fakes remember comments and count write requests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import responses
from requests import PreparedRequest

from bot.config import Settings
from connectors.base import BodyFormat, Created, IssueDraft, Tracker

# Only 127.0.0.1 ever appears; `responses` answers before anything leaves the process.
JIRA_URL = "http://127.0.0.1:9"
GITHUB_URL = "http://127.0.0.1:9/api/v3"
SHARED = Path(__file__).resolve().parents[1] / "webhooks" / "fixtures"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Call:
    method: str
    path: str
    body: Any
    query: str = ""


@dataclass
class CommentApi:
    """Comments per issue key, plus every request seen."""

    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: count(10001))

    @property
    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method in WRITES]

    def reset_calls(self) -> None:
        self.calls.clear()

    def _note(self, request: PreparedRequest) -> Call:
        body = json.loads(request.body) if request.body else None
        url = urlsplit(str(request.url))
        call = Call(str(request.method), url.path, body, url.query)
        self.calls.append(call)
        return call

    def find(self, comment_id: str) -> tuple[str, dict[str, Any]]:
        for key, comments in self.comments.items():
            for comment in comments:
                if str(comment["id"]) == comment_id:
                    return key, comment
        raise KeyError(comment_id)

    def _edit(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        _, comment = self.find(call.path.rsplit("/", 1)[1])
        comment["body"] = call.body["body"]
        return 200, {}, json.dumps(comment)

    def _delete(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        key, comment = self.find(call.path.rsplit("/", 1)[1])
        self.comments[key].remove(comment)
        return 204, {}, ""


class FakeJira(CommentApi):
    """Jira Cloud REST v3 comment endpoints (and the field list the webhook parser needs)."""

    def install(self, rsps: responses.RequestsMock) -> FakeJira:
        base = re.escape(JIRA_URL)
        issue = rf"{base}/rest/api/3/issue/([A-Z][A-Z0-9]*-\d+)/comment"
        rsps.add_callback(responses.GET, re.compile(rf"{issue}(\?.*)?$"), self._list)
        rsps.add_callback(responses.POST, re.compile(rf"{issue}$"), self._add)
        rsps.add_callback(responses.PUT, re.compile(rf"{issue}/(\d+)(\?.*)?$"), self._edit)
        rsps.add_callback(responses.DELETE, re.compile(rf"{issue}/(\d+)$"), self._delete)
        fields = (SHARED / "jira" / "field_list_real.json").read_text()
        rsps.add(responses.GET, re.compile(rf"{base}/rest/api/3/field$"), body=fields)
        return self

    def _key(self, call: Call) -> str:
        return call.path.split("/issue/")[1].split("/")[0]

    def _list(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        found = self.comments.get(self._key(call), [])
        if "expand=properties" not in str(request.url):
            # The endpoint documents no comment properties in its answer: leave them out.
            found = [{k: v for k, v in c.items() if k != "properties"} for c in found]
        page = {"startAt": 0, "maxResults": 100, "total": len(found), "comments": found}
        return 200, {}, json.dumps(page)

    def _add(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        comment = {
            "id": str(next(self.ids)),
            "body": call.body["body"],
            "properties": call.body.get("properties", []),
        }
        self.comments.setdefault(self._key(call), []).append(comment)
        return 201, {}, json.dumps(comment)


class FakeGithub(CommentApi):
    """GitHub REST issue-comment endpoints under a GitHub Enterprise style base URL."""

    def install(self, rsps: responses.RequestsMock) -> FakeGithub:
        base = r"http://127\.0\.0\.1:9/api/v3"
        issue = rf"{base}/repos/([^/]+/[^/]+)/issues/(\d+)/comments"
        single = rf"{base}/repos/([^/]+/[^/]+)/issues/comments/(\d+)$"
        rsps.add_callback(responses.GET, re.compile(rf"{issue}(\?.*)?$"), self._list)
        rsps.add_callback(responses.POST, re.compile(rf"{issue}$"), self._add)
        rsps.add_callback(responses.PATCH, re.compile(single), self._edit)
        rsps.add_callback(responses.DELETE, re.compile(single), self._delete)
        return self

    def _key(self, call: Call) -> str:
        match = re.search(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", call.path)
        assert match is not None
        return f"{match.group(1)}#{match.group(2)}"

    def _list(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        return 200, {}, json.dumps(self.comments.get(self._key(call), []))

    def _add(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        call = self._note(request)
        comment = {"id": next(self.ids), "body": call.body["body"], "user": {"login": "bot"}}
        self.comments.setdefault(self._key(call), []).append(comment)
        return 201, {}, json.dumps(comment)


def real_jira_tracker(settings: Settings) -> Tracker:
    from connectors.jira import make_jira_tracker

    return make_jira_tracker(settings)


def real_github_tracker(settings: Settings) -> Tracker:
    from connectors.github import make_github_client, make_github_tracker

    # No pauses between requests: nothing real is on the other end.
    client = make_github_client(settings.github, 0.0, 0.0)
    return make_github_tracker(settings, client=client)


@dataclass
class RecordingTracker:
    """A Tracker that keeps comments in memory and records every write (for pure pass tests)."""

    source: str = "jira"
    body_format: BodyFormat = "markdown"
    dry_run: bool = False
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[tuple[str, str]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: count(1))

    def find_own_comment(self, key: str) -> str | None:
        return next((cid for cid, c in self.comments.items() if c["key"] == key), None)

    def add_comment(self, key: str, body: Any) -> str:
        comment_id = str(next(self.ids))
        self.comments[comment_id] = {"key": key, "body": body}
        self.writes.append(("add", key))
        return comment_id

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None:
        self.comments[comment_id]["body"] = body
        self.writes.append(("edit", key))

    def delete_comment(self, key: str, comment_id: str) -> None:
        del self.comments[comment_id]
        self.writes.append(("delete", key))

    # The comment pass only comments: any other write is a bug the test should see.
    def create_issue(self, draft: IssueDraft) -> Created:
        raise AssertionError("the comment pass never creates issues")

    def add_label(self, key: str, label: str) -> None:
        raise AssertionError("the comment pass never labels")

    def remove_label(self, key: str, label: str) -> None:
        raise AssertionError("the comment pass never unlabels")

    def close(self, key: str, reason: str, *, to_status: str = "") -> None:
        raise AssertionError("the comment pass never closes")

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None:
        raise AssertionError("the comment pass never transitions")


def build_settings(tmp_path: Path, **comments: Any) -> Settings:
    """Settings for a store in tmp_path, both trackers on 127.0.0.1, comments on."""
    values: dict[str, Any] = {"enabled": True, "min_interval": 0, **comments}
    return Settings(
        store={"url": f"sqlite:///{tmp_path / 'refinery.db'}"},
        jira={"url": JIRA_URL, "deployment": "cloud", "email": "bot@example.com"},
        github={"api_url": GITHUB_URL, "repos": ["acme/shop"], "token": "ghp_test"},
        comments=values,
    )


def build_ctx(settings: Settings, **trackers: Tracker) -> Any:
    """An AppContext on a real SQLite store and the real rules, with the given trackers."""
    from bot.context import AppContext
    from bot.store import open_store
    from rules.engine import Engine

    store = open_store(settings.store.url, settings.store.lock_timeout)
    ctx = AppContext(settings, store, Engine(settings.rules))
    ctx._trackers.update(trackers)
    return ctx
