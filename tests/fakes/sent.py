"""Reading what a client sent through `responses` (PreparedRequest fields are optional)."""

from __future__ import annotations

import json
from typing import Any

from requests import PreparedRequest
from responses import Call


def url_of(sent: Call | PreparedRequest) -> str:
    request = sent.request if isinstance(sent, Call) else sent
    assert request.url is not None, "a request without a URL"
    return request.url


def json_of(sent: Call | PreparedRequest) -> Any:
    """The request's JSON body (None when it had none)."""
    request = sent.request if isinstance(sent, Call) else sent
    return json.loads(request.body) if request.body else None
