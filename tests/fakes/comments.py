"""What the Jira and GitHub fakes share: their record of calls to the comment endpoints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest

WRITES = ("POST", "PUT", "PATCH", "DELETE")
Answer = tuple[int, dict[str, str], str]


@dataclass
class Call:
    """One request to the comment endpoints."""

    method: str
    path: str
    body: Any
    query: str = ""


class CommentLog:
    """Comments by issue key and every call to their endpoints (set up by the fake)."""

    comments: dict[str, list[dict[str, Any]]]
    calls: list[Call]

    @property
    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method in WRITES]

    def reset_calls(self) -> None:
        self.calls.clear()

    def find(self, comment_id: str) -> tuple[str, dict[str, Any]]:
        for key, comments in self.comments.items():
            for comment in comments:
                if str(comment["id"]) == comment_id:
                    return key, comment
        raise KeyError(comment_id)

    def _note(self, request: PreparedRequest) -> Call:
        body = json.loads(request.body) if request.body else None
        url = urlsplit(str(request.url))
        call = Call(str(request.method), url.path, body, url.query)
        self.calls.append(call)
        return call
