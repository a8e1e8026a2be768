"""What a webhook delivery says happened, in Refinery's words: each connector reads its own
vendor's payloads into these (pure, no I/O), before the request is answered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


class Malformed(ValueError):
    """The payload is JSON but not the shape its event promises (answered with 400)."""


@dataclass(frozen=True, slots=True)
class Comment:
    """The comment an event is about (or that caused an issue update)."""

    id: str
    body: Any
    author: str  # Jira accountId / GitHub login
    author_email: str = ""
    action: str = "created"  # created | updated | deleted


@dataclass(frozen=True, slots=True)
class Event:
    """What a webhook says happened, in Refinery's words."""

    source: str  # the connector's name
    kind: Literal["changed", "gone", "comment", "ignored"]
    key: str = ""
    issue: Mapping[str, Any] = field(default_factory=dict)  # the tracker's issue object
    project: str = ""  # Jira project key / GitHub owner/repo
    comment: Comment | None = None
    field_changes: int = 0  # changelog items (Jira); 0 on a comment-only update
    full_issue: bool = True  # False when the payload abbreviates the issue's fields
    reason: str = ""  # why it is ignored


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Malformed(f"{where} must be an object")
    return value


@dataclass(frozen=True)
class WebhookShape:
    """The headers a source's signed deliveries carry (the HTTP layer checks them)."""

    signature_header: str  # HMAC-SHA256 of the raw body, "sha256=<hex>"
    delivery_header: str  # the sender's delivery id, for deduplication
    event_header: str = ""  # names the event when the body does not (GitHub)
    ping_event: str = ""  # an event that only checks the hook is set up: answered "pong"
