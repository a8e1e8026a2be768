"""Socket Mode against a local Socket Mode server: first deliveries carry retry_attempt 0."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.context import AppContext
from bot.slack.socket import start_socket_mode
from tests.fakes.slack import FakeSlack, FakeSocketMode
from tests.slack.conftest import make_settings
from tests.slack.signed import fixture


@pytest.fixture
def socket_server() -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    yield server
    server.stop()


def envelope(envelope_id: str, retry_attempt: int) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry_attempt,
        "retry_reason": "" if retry_attempt == 0 else "timeout",
        "payload": json.loads(fixture("event_app_mention.json")),
    }


def test_a_mention_with_retry_attempt_0_is_answered_and_a_retry_is_not(
    tmp_path: Path, fake_slack: FakeSlack, socket_server: FakeSocketMode
) -> None:
    fake_slack.socket_url = socket_server.url
    settings = make_settings(
        tmp_path, fake_slack, socket_mode=True, app_token="xapp-1-test", signing_secret=None
    )
    ctx = AppContext.build(settings)
    mode = start_socket_mode(ctx)
    try:
        assert socket_server.connected.wait(15), "the app never connected"
        socket_server.send(envelope("first", 0))
        replies = fake_slack.wait_for(lambda: fake_slack.to("chat.postMessage"), "the reply")
        event = json.loads(fixture("event_app_mention.json"))["event"]
        assert replies[0]["thread_ts"] == event["ts"]
        fake_slack.wait_for(lambda: socket_server.acked("first"), "the ack")
        socket_server.send(envelope("again", 1))
        fake_slack.wait_for(lambda: socket_server.acked("again"), "the retry's ack")
        time.sleep(0.3)  # a reply to the retry would be on its way by now
        assert len(fake_slack.to("chat.postMessage")) == 1
    finally:
        mode.close()
        ctx.close()
