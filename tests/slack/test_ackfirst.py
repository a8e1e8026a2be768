"""Follow-ups wait while Slack requests are being answered, but never past their deadline."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bot.context import AppContext
from bot.slack.ackfirst import AckFirst
from bot.slack.http import warm_authorization
from bot.web import create_app
from tests.fakes.slack import FakeSlack
from tests.slack.conftest import make_settings
from tests.slack.signed import signed_headers, slash_body


def test_a_follow_up_waits_for_the_answer_in_flight() -> None:
    gate = AckFirst(max_wait=5.0)
    order: list[str] = []
    with gate.answering():
        deadline = gate.deadline()

        def follow() -> None:
            gate.wait(deadline)
            order.append("work")

        follow_up = threading.Thread(target=follow)
        follow_up.start()
        time.sleep(0.1)
        order.append("acked")
    follow_up.join(timeout=5)
    assert order == ["acked", "work"]


def test_a_follow_up_runs_at_its_deadline_under_a_steady_stream() -> None:
    gate = AckFirst(max_wait=0.2)
    with gate.answering():
        started = time.monotonic()
        gate.wait(gate.deadline())
        waited = time.monotonic() - started
    assert 0.15 <= waited < 2.0


def test_nothing_in_flight_means_no_wait() -> None:
    gate = AckFirst(max_wait=5.0)
    started = time.monotonic()
    gate.wait(gate.deadline())
    assert time.monotonic() - started < 0.5


def test_warmed_authorization_keeps_auth_test_out_of_the_acks(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    ctx = AppContext.build(make_settings(tmp_path, fake_slack))
    app = create_app(ctx)
    try:
        warm_authorization(app.extensions["refinery.bolt"])
        assert len(fake_slack.to("auth.test")) == 1
        client = app.test_client()
        for n in range(3):
            body = slash_body("help", "W111", fake_slack.response_url(f"c{n}"))
            headers = {**signed_headers(body), "Content-Type": "application/x-www-form-urlencoded"}
            assert client.post("/slack/events", data=body, headers=headers).status_code == 200
        assert len(fake_slack.to("auth.test")) == 1  # no ack waited for an auth.test of its own
    finally:
        app.extensions["refinery.slack"].close()
        ctx.close()
