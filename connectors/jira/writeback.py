"""Refinery's few writes to Jira: its own comment, new issues, labels, closing (Tracker)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from connectors.base import BodyFormat, ConnectorError, Created, IssueDraft
from connectors.jira.client import JiraClient

log = logging.getLogger(__name__)

PROPERTY = "refinery"  # comment property key marking Refinery's own comment
DRY_RUN_ID = "dry-run"
DECLINE_WORDS = ("won't", "wont", "declin", "reject", "cancel")
COMMENT_PAGE = 100
# What every body Refinery writes carries (the renderer's signature and hidden marker).
OWN_MARKS = ("Posted by Refinery", "<!-- refinery")


class JiraTracker:
    """Writes back to one Jira site; with dry_run, logs each write and sends nothing."""

    source = "jira"

    def __init__(self, client: JiraClient, dry_run: bool = False) -> None:
        self.client = client
        self.dry_run = dry_run
        self._body_format: BodyFormat | None = None

    @property
    def body_format(self) -> BodyFormat:
        """ADF on Cloud (REST v3), wiki markup on Data Center (REST v2); known lazily."""
        if self._body_format is None:
            self._body_format = "adf" if self.client.deployment() == "cloud" else "wiki"
        return self._body_format

    @body_format.setter
    def body_format(self, value: BodyFormat) -> None:
        self._body_format = value

    # -- comments --------------------------------------------------------------------------

    def find_own_comment(self, key: str) -> str | None:
        """Return the id of Refinery's comment on the issue, if any.

        The comments endpoint documents no `expand=properties`, so the comment is recognised
        by the signature every Refinery body carries (its property, when a server returns
        properties anyway, counts too)."""
        start = 0
        while True:
            # GET /rest/api/3/issue/{key}/comment (startAt / maxResults paging)
            page = self.client.get(
                f"{self.client.api}/issue/{key}/comment",
                {"startAt": start, "maxResults": COMMENT_PAGE},
            )
            comments = list((page or {}).get("comments") or ())
            for comment in comments:
                if _is_own(comment):
                    return str(comment["id"])
            start += len(comments)
            if not comments or start >= int((page or {}).get("total") or 0):
                return None

    def add_comment(self, key: str, body: Any) -> str:
        """POST /rest/api/3/issue/{key}/comment with the `refinery` comment property."""
        payload = {"body": body, "properties": [{"key": PROPERTY, "value": {"by": "refinery"}}]}
        if self._dry("add comment to", key, payload):
            return DRY_RUN_ID
        answer = self.client.post(f"{self.client.api}/issue/{key}/comment", payload)
        return str(answer["id"])

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None:
        """PUT /rest/api/3/issue/{key}/comment/{id}?notifyUsers=false (Cloud): an edit of
        Refinery's note is no news to the watchers. Data Center documents no such switch."""
        if self._dry(f"edit comment {comment_id} on", key, {"body": body}):
            return
        path = f"{self.client.api}/issue/{key}/comment/{comment_id}"
        params = {"notifyUsers": "false"} if self.client.deployment() == "cloud" else None
        self.client.call("PUT", path, params=params, body={"body": body})

    def delete_comment(self, key: str, comment_id: str) -> None:
        """DELETE /rest/api/3/issue/{key}/comment/{id}."""
        if self._dry(f"delete comment {comment_id} on", key, None):
            return
        self.client.delete(f"{self.client.api}/issue/{key}/comment/{comment_id}")

    # -- issues and labels -----------------------------------------------------------------

    def create_issue(self, draft: IssueDraft) -> Created:
        """POST /rest/api/3/issue with summary, a Why / Outcome description, labels and type."""
        fields: dict[str, Any] = {
            "project": {"key": draft.project},
            "issuetype": {"name": draft.issue_type or self.client.config.default_issue_type},
            "summary": draft.title,
            "description": describe(draft, self.body_format),
        }
        if draft.labels:
            fields["labels"] = list(draft.labels)
        if self._dry("create issue in", draft.project, {"fields": fields}):
            return Created(key=DRY_RUN_ID, url="")
        answer = self.client.post(f"{self.client.api}/issue", {"fields": fields})
        key = str(answer["key"])
        return Created(key=key, url=f"{self.client.site}/browse/{key}")

    def add_label(self, key: str, label: str) -> None:
        """PUT /rest/api/3/issue/{key} with update.labels add (other labels stay)."""
        self._labels(key, "add", label)

    def remove_label(self, key: str, label: str) -> None:
        """PUT /rest/api/3/issue/{key} with update.labels remove."""
        self._labels(key, "remove", label)

    def _labels(self, key: str, verb: str, label: str) -> None:
        payload = {"update": {"labels": [{verb: label}]}}
        if self._dry(f"{verb} label {label!r} on", key, payload):
            return
        self.client.put(f"{self.client.api}/issue/{key}", payload)

    def close(self, key: str, reason: str, *, to_status: str = "") -> None:
        """Comment the reason, then move the issue to `to_status` (any case), else to a
        Done-category status."""
        if self._dry("close", key, {"reason": reason, "to_status": to_status}):
            return
        # GET /rest/api/3/issue/{key}/transitions
        answer = self.client.get(f"{self.client.api}/issue/{key}/transitions")
        transitions = (answer or {}).get("transitions") or []
        if to_status:
            transition = pick_transition(transitions, to_status, "")
            if transition is None:
                raise ConnectorError(f"{key}: no transition to {to_status!r} is available here")
        else:
            transition = pick_done_transition(transitions)
        if transition is None:
            raise ConnectorError(f"{key}: no transition to a Done status is available from here")
        self.client.post(
            f"{self.client.api}/issue/{key}/comment", {"body": _text(reason, self.body_format)}
        )
        # POST /rest/api/3/issue/{key}/transitions
        self.client.post(
            f"{self.client.api}/issue/{key}/transitions",
            {"transition": {"id": str(transition["id"])}},
        )

    def transition(self, key: str, status_name: str, *, not_to: str = "") -> None:
        """Move the issue to `status_name` through the transition leading there (any case)."""
        # GET /rest/api/3/issue/{key}/transitions lists what the workflow allows from here.
        answer = self.client.get(f"{self.client.api}/issue/{key}/transitions")
        found = pick_transition((answer or {}).get("transitions") or [], status_name, not_to)
        if found is None:
            wanted = repr(status_name) if status_name else "a 'To Do' status"
            raise ConnectorError(f"{key}: no transition to {wanted} is available from here")
        payload = {"transition": {"id": str(found["id"])}}
        to = (found.get("to") or {}).get("name", "")
        if self._dry(f"transition {found.get('name', '')!r} (to {to!r}) on", key, payload):
            return
        # POST /rest/api/3/issue/{key}/transitions
        self.client.post(f"{self.client.api}/issue/{key}/transitions", payload)

    def _dry(self, what: str, key: str, payload: Any) -> bool:
        if self.dry_run:
            log.info("jira dry run: would %s %s: %s", what, key, payload)
        return self.dry_run


def pick_done_transition(transitions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A transition into the Done category, preferring one named like "Won't do" / "Declined"."""
    done = [
        t
        for t in transitions
        if ((t.get("to") or {}).get("statusCategory") or {}).get("key") == "done"
    ]
    for transition in done:
        name = f"{transition.get('name', '')} {(transition.get('to') or {}).get('name', '')}"
        if any(word in name.lower() for word in DECLINE_WORDS):
            return transition
    return done[0] if done else None


def pick_transition(
    transitions: list[dict[str, Any]], status_name: str, not_to: str = ""
) -> dict[str, Any] | None:
    """The transition whose target status is `status_name` (any case); with no name, the first
    into the "To Do" category (key "new") whose target is not `not_to`."""

    def target(transition: dict[str, Any]) -> dict[str, Any]:
        return transition.get("to") or {}

    if status_name:
        wanted = status_name.strip().lower()
        return next(
            (t for t in transitions if str(target(t).get("name", "")).lower() == wanted), None
        )
    avoid = not_to.strip().lower()
    return next(
        (
            t
            for t in transitions
            if (target(t).get("statusCategory") or {}).get("key") == "new"
            and str(target(t).get("name", "")).lower() != avoid
        ),
        None,
    )


def describe(draft: IssueDraft, body_format: BodyFormat) -> Any:
    """The new issue's description: Why / Outcome (and context) sections, ADF or wiki markup."""
    sections = [
        ("Why", draft.why),
        ("Outcome", draft.outcome),
        ("Affected", draft.affected),
        ("Links", draft.links),
    ]
    sections = [(title, text.strip()) for title, text in sections if text and text.strip()]
    footer = f"Requested by {draft.requested_by} via Refinery." if draft.requested_by else ""
    if body_format == "adf":
        content: list[dict[str, Any]] = []
        for title, text in sections:
            content.append(
                {
                    "type": "heading",
                    "attrs": {"level": 2},
                    "content": [{"type": "text", "text": title}],
                }
            )
            content.extend(_paragraphs(text))
        if footer:
            content.extend(_paragraphs(footer))
        return {"type": "doc", "version": 1, "content": content}
    parts = [f"h2. {title}\n{escape_wiki(text)}" for title, text in sections]
    if footer:
        parts.append(escape_wiki(footer))
    return "\n\n".join(parts)


# Characters that start wiki markup (macros, links, mentions, tables, images, effects):
# escaped so a request's words show as typed, never as a link, macro or mention.
_WIKI_CHARS = re.compile(r"([\\{}\[\]|*_+^~?!#-])")


def escape_wiki(text: str) -> str:
    """Text from people, safe inside Data Center wiki markup (no macro, link or mention)."""
    return _WIKI_CHARS.sub(r"\\\1", text)


def _is_own(comment: dict[str, Any]) -> bool:
    if any(p.get("key") == PROPERTY for p in comment.get("properties") or ()):
        return True
    body = comment.get("body")
    text = body if isinstance(body, str) else json.dumps(body)
    return any(mark in text for mark in OWN_MARKS)


def _paragraphs(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "paragraph", "content": [{"type": "text", "text": chunk.strip()}]}
        for chunk in text.split("\n\n")
        if chunk.strip()
    ]


def _text(text: str, body_format: BodyFormat) -> Any:
    if body_format == "adf":
        return {"type": "doc", "version": 1, "content": _paragraphs(text)}
    return escape_wiki(text)
