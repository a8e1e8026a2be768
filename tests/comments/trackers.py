"""The comment tests' setup: real trackers on the shared fakes (tests/fakes), settings and a
context around a SQLite store, and an in-memory Tracker for the pure pass tests.

The real JiraTracker / GithubTracker talk to tests.fakes.jira / tests.fakes.github over HTTP
(mocked at the transport), so the tests go through the real connectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

from bot.config import Settings
from connectors.base import BodyFormat, Created, IssueDraft, Tracker

# Only 127.0.0.1 ever appears; `responses` answers before anything leaves the process.
JIRA_URL = "http://127.0.0.1:9"
GITHUB_URL = "http://127.0.0.1:9/api/v3"


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
