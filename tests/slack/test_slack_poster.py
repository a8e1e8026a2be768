"""The one Slack poster's error policy, against a local stand-in for the Web API:
rate limits honoured, one clear log line per failure, never a secret in the logs."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.config import Settings
from bot.slack.poster import SlackPoster, make_web_client, respond

TOKEN = "xoxb-poster-test-not-a-real-token"
SECRET_PATH = "/respond/T0/B0/hook-secret-part"


class Scripted:
    """Answers each call with the next scripted (status, body, headers); then ok: true."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self.calls: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.calls.append(self.path)
                status, body, headers = (
                    fake.script.pop(0) if fake.script else (200, {"ok": True, "ts": "1.5"}, {})
                )
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def poster(self, max_retries: int = 3) -> SlackPoster:
        settings = Settings(slack={"api_url": self.url + "/api/", "bot_token": TOKEN})
        return SlackPoster(make_web_client(settings, max_retries=max_retries), interval=0)


@pytest.fixture
def slack() -> Iterator[Scripted]:
    fake = Scripted()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


RATE_LIMITED = (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "0"})


def test_a_rate_limit_is_waited_out_and_the_message_still_posted(slack: Scripted) -> None:
    slack.script = [RATE_LIMITED, RATE_LIMITED]
    posted = slack.poster().post("C1", "hi", [], what="digest for pay")
    assert posted.ok and posted.ts == "1.5"
    assert slack.calls == ["/api/chat.postMessage"] * 3  # two 429s honoured, then posted


def test_a_lasting_rate_limit_is_one_clear_line_and_no_exception(
    slack: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script = [RATE_LIMITED] * 4
    with caplog.at_level(logging.INFO, logger="bot.slack.poster"):
        posted = slack.poster().post("C1", "hi", [], what="digest for pay")
    assert (posted.ok, posted.error) == (False, "ratelimited")
    assert len(slack.calls) == 4  # the first try and 3 retries
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.slack.poster"]
    assert line.startswith("slack: digest for pay not posted to C1: ratelimited (")
    assert "post it again later" in line and TOKEN not in caplog.text


def test_interactive_calls_fail_under_the_same_policy(
    slack: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script = [(200, {"ok": False, "error": "message_not_found"}, {})]
    poster = slack.poster()
    with caplog.at_level(logging.INFO, logger="bot.slack.poster"):
        assert not poster.update("C1", "1.2", "text", [], what="card update")
        assert poster.call("views.open", trigger_id="t", view={}) == {"ok": True, "ts": "1.5"}
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.slack.poster"]
    assert line == (
        "slack: card update failed in C1: message_not_found "
        "(the message to update is gone (deleted in Slack?))"
    )


def test_an_unreachable_slack_names_the_error_type_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = Scripted()  # bound, never served: the port refuses connections once closed
    url = fake.url
    fake.server.server_close()
    settings = Settings(slack={"api_url": url + "/api/", "bot_token": TOKEN})
    poster = SlackPoster(make_web_client(settings, max_retries=0))
    with caplog.at_level(logging.INFO, logger="bot.slack.poster"):
        posted = poster.post("C1", "hi", [], what="reminder")
        assert poster.call("chat.postEphemeral", channel="C2", user="U1", text="x") is None
    assert (posted.ok, posted.error) == (False, "connection")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.slack.poster"]
    assert len(lines) == 2 and all("cannot reach Slack" in line for line in lines)
    assert "failed in C2" in lines[1]
    assert TOKEN not in caplog.text and url not in caplog.text


def test_a_refused_response_url_answer_is_logged_without_the_url(
    slack: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script = [(404, {"ok": False, "error": "no_service"}, {})]
    with caplog.at_level(logging.INFO, logger="bot.slack.poster"):
        assert not respond(slack.url + SECRET_PATH, "hello", [])
        assert respond(slack.url + SECRET_PATH, "hello", [])
    assert slack.calls == [SECRET_PATH, SECRET_PATH]
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.slack.poster"]
    assert "answer through the response URL" in line and "http_404" in line
    assert "hook-secret-part" not in caplog.text
