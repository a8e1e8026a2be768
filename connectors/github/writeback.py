"""Refinery's few writes to GitHub: one marked comment per issue, new issues, labels, closing."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any
from urllib.parse import quote

from connectors.base import BodyFormat, ConnectorError, Created, IssueDraft
from connectors.github.client import GithubClient, NotFound, next_link

log = logging.getLogger(__name__)

# Invisible in rendered Markdown; lets us find our own comment again instead of adding another.
MARKER = "<!-- refinery:comment -->"
CLOSE_MARKER = "<!-- refinery:close -->"  # the reason left when closing; never edited later


def split_key(key: str) -> tuple[str, int]:
    """Split "owner/repo#12" into ("owner/repo", 12)."""
    repo, _, number = key.rpartition("#")
    if repo.count("/") != 1 or not number.isdigit():
        raise ConnectorError(f"not a GitHub issue key: {key!r} (expected owner/repo#123)")
    return repo, int(number)


def issue_body(draft: IssueDraft) -> str:
    """Render a request as an issue body whose sections the rules can read back."""
    parts = [f"### Why\n\n{draft.why.strip() or '_No response_'}"]
    parts.append(f"### Outcome\n\n{draft.outcome.strip() or '_No response_'}")
    if draft.affected.strip():
        parts.append(f"### Affected\n\n{draft.affected.strip()}")
    if draft.links.strip():
        parts.append(f"### Links\n\n{draft.links.strip()}")
    if draft.requested_by:
        parts.append(f"_Requested by {draft.requested_by} through Refinery._")
    return "\n\n".join(parts) + "\n"


class GithubTracker:
    """The Tracker protocol for GitHub Issues; with dry_run set it sends no write at all."""

    source = "github"
    body_format: BodyFormat = "markdown"

    def __init__(self, client: GithubClient, dry_run: bool = False) -> None:
        self.client = client
        self.dry_run = dry_run

    def find_own_comment(self, key: str) -> str | None:
        """GET /repos/{o}/{r}/issues/{n}/comments?per_page=100, following Link pages."""
        repo, number = split_key(key)
        url: str | None = f"/repos/{repo}/issues/{number}/comments"
        params: dict[str, Any] | None = {"per_page": 100}
        while url:
            headers, comments = self.client.get(url, params)
            for comment in comments:
                if MARKER in str(comment.get("body") or ""):
                    return str(comment["id"])
            url, params = next_link(headers), None  # the next link carries its own query
        return None

    def add_comment(self, key: str, body: Any) -> str:
        """POST /repos/{o}/{r}/issues/{n}/comments with the marker appended."""
        repo, number = split_key(key)
        path = f"/repos/{repo}/issues/{number}/comments"
        answer = self._write("POST", path, {"body": _marked(body)})
        return str(answer["id"]) if answer else "dry-run"

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None:
        """PATCH /repos/{o}/{r}/issues/comments/{id} (the marker stays)."""
        repo, _ = split_key(key)
        self._write("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": _marked(body)})

    def delete_comment(self, key: str, comment_id: str) -> None:
        """DELETE /repos/{o}/{r}/issues/comments/{id}."""
        repo, _ = split_key(key)
        self._write("DELETE", f"/repos/{repo}/issues/comments/{comment_id}")

    def create_issue(self, draft: IssueDraft) -> Created:
        """POST /repos/{o}/{r}/issues with title, a Why/Outcome body and labels."""
        payload: dict[str, Any] = {"title": draft.title, "body": issue_body(draft)}
        if draft.labels:
            payload["labels"] = list(draft.labels)
        # No `type`: the draft's type is a Jira one ("Story"), and GitHub refuses a type the
        # organisation has not defined. Labels carry the kind instead.
        answer = self._write("POST", f"/repos/{draft.project}/issues", payload)
        if not answer:
            return Created(key=f"{draft.project}#0", url="")
        return Created(key=f"{draft.project}#{answer['number']}", url=str(answer["html_url"]))

    def add_label(self, key: str, label: str) -> None:
        """POST /repos/{o}/{r}/issues/{n}/labels (GitHub creates unknown labels)."""
        repo, number = split_key(key)
        self._write("POST", f"/repos/{repo}/issues/{number}/labels", {"labels": [label]})

    def remove_label(self, key: str, label: str) -> None:
        """DELETE /repos/{o}/{r}/issues/{n}/labels/{name}; a label already gone is fine."""
        repo, number = split_key(key)
        path = f"/repos/{repo}/issues/{number}/labels/{quote(label, safe='')}"
        with suppress(NotFound):
            self._write("DELETE", path)

    def close(self, key: str, reason: str, *, to_status: str = "") -> None:
        """Comment the reason, then PATCH state=closed, state_reason=not_planned (GitHub has
        no statuses, so `to_status` does not apply)."""
        repo, number = split_key(key)
        path = f"/repos/{repo}/issues/{number}"
        self._write("POST", f"{path}/comments", {"body": f"{reason.rstrip()}\n\n{CLOSE_MARKER}"})
        self._write("PATCH", path, {"state": "closed", "state_reason": "not_planned"})

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None:
        """GitHub issues have no workflow statuses; triage there works through labels only."""
        raise ConnectorError(
            f"{key}: GitHub has no statuses to move an issue to; use a triage label instead"
        )

    def _write(self, verb: str, path: str, body: Any | None = None) -> Any:
        if self.dry_run:
            log.info("dry run: would %s %s", verb, path)
            return None
        return self.client.write(verb, path, body)


def _marked(body: Any) -> str:
    text = str(body).rstrip()
    return text if MARKER in text else f"{text}\n\n{MARKER}"
