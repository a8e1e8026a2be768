"""Follow-ups wait while Slack requests are being answered, but never past their deadline."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

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


def test_a_follow_up_waits_for_the_server_to_be_quiet_not_just_idle_for_an_instant() -> None:
    gate = AckFirst(max_wait=5.0, quiet=0.3)
    with gate.answering():
        pass  # answered just now: the next request may be a moment away
    started = time.monotonic()
    gate.wait(gate.deadline())
    waited = time.monotonic() - started
    assert 0.25 <= waited < 2.0


def test_requests_queued_in_the_http_server_hold_follow_ups_until_answered() -> None:
    """With one worker thread, a second request waits in waitress's queue, before any app code
    sees it: the gate counts it there, and each answer on a kept-alive connection once."""
    import http.client

    from waitress.server import create_server

    from bot.http_queue import CountingDispatcher

    gate = AckFirst(max_wait=5.0, quiet=0.0)
    release = threading.Event()
    entered = threading.Event()

    def app(environ: dict[str, object], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/slow":
            entered.set()
            release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    dispatcher = CountingDispatcher(gate)
    dispatcher.set_thread_count(1)
    server = create_server(app, host="127.0.0.1", port=0, _dispatcher=dispatcher)
    port = getattr(server, "effective_port")  # noqa: B009  (one socket: a TcpWSGIServer)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    statuses: list[int] = []

    def get(path: str, times: int = 1) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(times):  # one kept-alive connection
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        connection.close()

    try:
        slow = threading.Thread(target=get, args=("/slow",))
        slow.start()
        assert entered.wait(5)
        queued = threading.Thread(target=get, args=("/fast", 2))
        queued.start()
        deadline = time.monotonic() + 5
        while gate.waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert gate.waiting == 2  # the one being answered and the one queued behind it
        follow_up_done = threading.Event()

        def follow_up() -> None:
            gate.wait(gate.deadline())
            follow_up_done.set()

        threading.Thread(target=follow_up, daemon=True).start()
        assert not follow_up_done.wait(0.3)  # held while requests wait
        release.set()
        slow.join(5)
        queued.join(5)
        assert follow_up_done.wait(5)
        assert statuses == [200, 200, 200]
        assert gate.waiting == 0
    finally:
        release.set()
        server.close()
        dispatcher.shutdown()
