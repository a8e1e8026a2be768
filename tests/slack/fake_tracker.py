"""A Tracker that records writes instead of calling Jira or GitHub."""

from __future__ import annotations

import threading
import time
from typing import Any

from connectors.base import BodyFormat, ConnectorError, Created, IssueDraft


class FakeTracker:
    """Counts create_issue calls (thread-safe); can be told to fail or to be slow."""

    body_format: BodyFormat = "markdown"
    dry_run = False

    def __init__(self, source: str) -> None:
        self.source = source
        self.drafts: list[IssueDraft] = []
        self.removed_labels: list[tuple[str, str]] = []
        self.closed: list[tuple[str, str]] = []
        self.closed_to: list[str] = []  # the to_status of each close
        self.transitions: list[tuple[str, str, str]] = []  # key, status name, not_to
        self.fail_next = 0
        self.delay = 0.0  # widen the race window in concurrency tests
        self._lock = threading.Lock()

    def create_issue(self, draft: IssueDraft) -> Created:
        time.sleep(self.delay)
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise ConnectorError("Jira answered 400: issue type 'Story' not in project")
            self.drafts.append(draft)
            number = len(self.drafts)
        key = f"{draft.project}-{100 + number}"
        return Created(key=key, url=f"https://example.atlassian.net/browse/{key}")

    def add_label(self, key: str, label: str) -> None:
        pass

    def remove_label(self, key: str, label: str) -> None:
        with self._lock:
            self.removed_labels.append((key, label))

    def close(self, key: str, reason: str, *, to_status: str = "") -> None:
        time.sleep(self.delay)
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                raise ConnectorError("Jira answered 400: no transition to 'Won't Do'")
            self.closed.append((key, reason))
            self.closed_to.append(to_status)

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None:
        with self._lock:
            self.transitions.append((key, status_name, not_to))

    def find_own_comment(self, key: str) -> str | None:
        return None

    def add_comment(self, key: str, body: Any) -> str:
        raise AssertionError("intake never comments directly")

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None:
        raise AssertionError("intake never edits comments")

    def delete_comment(self, key: str, comment_id: str) -> None:
        raise AssertionError("intake never deletes comments")
