"""Build request bodies the way Slack sends them (from the recorded shapes) and sign them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from tests.fakes.slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def signature(body: str, timestamp: str, secret: str = SECRET) -> str:
    """Slack's v0 scheme: HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, *, secret: str = SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(body, timestamp, secret),
    }


@dataclass
class Reply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def post(url: str, body: str, headers: dict[str, str], content_type: str) -> Reply:
    request = urllib.request.Request(
        url, data=body.encode(), method="POST", headers={"Content-Type": content_type, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.read().decode())
    except urllib.error.HTTPError as exc:
        return Reply(exc.code, exc.read().decode())


def slash_body(text: str, user: str, response_url: str, command: str = "/refinery") -> str:
    """The recorded slash-command form body, with our command, text, user and response URL."""
    fields = dict(parse_qsl(fixture("slash_command.txt")))
    fields.update(command=command, text=text, user_id=user, response_url=response_url)
    return urlencode(fields)


def action_payload(action_id: str, value: str, user: str, response_url: str) -> dict[str, Any]:
    """The recorded block_actions button payload, pressed by `user` on our button."""
    payload: dict[str, Any] = json.loads(fixture("block_actions_button.json"))
    payload["user"]["id"] = user
    payload["response_url"] = response_url
    payload["actions"][0].update(action_id=action_id, value=value, block_id="triage")
    return payload


def view_payload(
    callback_id: str, values: dict[str, str], meta: dict[str, Any], user: str
) -> dict[str, Any]:
    """The recorded view_submission payload, carrying our form values and private metadata."""
    payload: dict[str, Any] = json.loads(fixture("view_submission.json"))
    payload["user"]["id"] = user
    view = payload["view"]
    view["callback_id"] = callback_id
    view["private_metadata"] = json.dumps(meta)
    state: dict[str, Any] = {}
    for block_id, value in values.items():
        if block_id in ("urgency", "destination"):
            state[block_id] = {
                "value": {"type": "static_select", "selected_option": {"value": value}}
            }
        elif block_id == "date":
            state[block_id] = {"value": {"type": "datepicker", "selected_date": value}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": value}}
    view["state"]["values"] = state
    return payload


def form_payload(payload: dict[str, Any]) -> str:
    """How Slack posts interactivity: one form field, payload=<URL-encoded JSON>."""
    return f"payload={quote(json.dumps(payload))}"


class SlackSender:
    """Sends signed requests to the server's POST /slack/events."""

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, base_url: str, slack: FakeSlack) -> None:
        self.url = base_url + "/slack/events"
        self.slack = slack

    def raw(self, body: str, headers: dict[str, str], content_type: str = FORM) -> Reply:
        return post(self.url, body, headers, content_type)

    def signed(self, body: str, content_type: str = FORM, **extra: str) -> Reply:
        return self.raw(body, {**signed_headers(body), **extra}, content_type)

    def command(self, text: str, user: str = "W111", name: str = "cmd") -> Reply:
        return self.signed(slash_body(text, user, self.slack.response_url(name)))

    def action(self, action_id: str, value: str, user: str, name: str = "action") -> Reply:
        payload = action_payload(action_id, value, user, self.slack.response_url(name))
        return self.signed(form_payload(payload))

    def view(
        self, callback_id: str, values: dict[str, str], meta: dict[str, Any], user: str
    ) -> Reply:
        return self.signed(form_payload(view_payload(callback_id, values, meta, user)))

    def shortcut(self, callback_id: str, text: str, user: str) -> Reply:
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "trigger_id": "111.222.shortcut",
            "user": {"id": user, "team_id": "T111"},
            "team": {"id": "T111", "domain": "workspace-domain"},
            "channel": {"id": "C111", "name": "random"},
            "message": {"type": "message", "user": "U222", "ts": "1678252212.229129", "text": text},
            "response_url": self.slack.response_url("shortcut"),
            "token": "verification_token",
        }
        return self.signed(form_payload(payload))

    def event(self, body: dict[str, Any], **headers: str) -> Reply:
        return self.signed(json.dumps(body), "application/json", **headers)
