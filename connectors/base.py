"""What every connector offers: paged incremental reads, and the few writes Refinery makes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from connectors.item import Item

BodyFormat = Literal["adf", "wiki", "markdown"]


class ConnectorError(Exception):
    """A problem talking to a source, phrased for the user (never containing a secret)."""


class AuthError(ConnectorError):
    """The source rejected our credentials (401/403)."""


class RateLimited(ConnectorError):
    """The source's request budget ran out; `resume_at` says when it refills (if known)."""

    def __init__(self, message: str, resume_at: str | None = None) -> None:
        super().__init__(message)
        self.resume_at = resume_at


@dataclass
class Page:
    """One page of items, and the cursor that is safe to store once they are stored."""

    items: list[Item]
    cursor: str | None
    requests: int = 1  # HTTP requests spent on this page (for progress and benchmarks)


@dataclass
class SyncPlan:
    """What a sync stream needs before it starts: an approximate total, for the progress bar."""

    total: int | None = None
    requests: int = 0  # HTTP requests spent on planning


class KeyValues(Protocol):
    """Where a connector keeps small facts between runs (site deployment, field map);
    the application's store satisfies it."""

    def get_kv(self, key: str) -> dict[str, Any] | None: ...

    def set_kv(self, key: str, value: dict[str, Any]) -> None: ...


class Stream(Protocol):
    """One incrementally synced stream: a Jira site's JQL, or one GitHub repository."""

    name: str  # the cursor's name in the store, e.g. "jira:https://x.atlassian.net"
    source: str  # "jira" | "github"

    def plan(self, cursor: str | None) -> SyncPlan:
        """Cheaply estimate how many items the next fetch will read."""
        ...

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Yield pages of items updated since `cursor` (None: everything)."""
        ...

    def live_keys(self) -> set[str] | None:
        """Keys still matched by the source's query, to mark the others gone (None: unsupported)."""
        ...


@dataclass
class IssueDraft:
    """A ticket to create from an accepted request."""

    project: str  # Jira project key or GitHub "owner/repo"
    title: str
    why: str
    outcome: str = ""
    affected: str = ""
    links: str = ""
    issue_type: str = ""
    labels: list[str] = field(default_factory=list)
    requested_by: str = ""


@dataclass
class Created:
    key: str
    url: str


class CommentTarget(Protocol):
    """Where Refinery keeps its one marked comment per item. Every write honours dry_run."""

    source: str
    body_format: BodyFormat  # what `body` arguments must be: ADF dict, wiki or Markdown text
    dry_run: bool

    def find_own_comment(self, key: str) -> str | None:
        """Return the id of Refinery's earlier comment on the item, if any."""
        ...

    def add_comment(self, key: str, body: Any) -> str:
        """Add Refinery's comment (marked so it can be found again); return its id."""
        ...

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None: ...

    def delete_comment(self, key: str, comment_id: str) -> None: ...


class IntakeTarget(Protocol):
    """Where accepted requests become issues and declined ones are closed. Every write
    honours dry_run."""

    source: str
    dry_run: bool

    def create_issue(self, draft: IssueDraft) -> Created: ...

    def add_label(self, key: str, label: str) -> None: ...

    def remove_label(self, key: str, label: str) -> None: ...

    def close(self, key: str, reason: str, *, to_status: str = "") -> None:
        """Close a declined item with a comment giving the reason (GitHub: as not planned;
        Jira: through the transition to `to_status`, else one to a "Won't do"-like status)."""
        ...

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None:
        """Move the item to the status named `status_name` (any case).

        An empty name picks the first transition into a "To Do"-category status other than
        `not_to`. Raises ConnectorError when no such transition is available.
        """
        ...


class Tracker(CommentTarget, IntakeTarget, Protocol):
    """Both write sides of a source, as its connector builds them."""
