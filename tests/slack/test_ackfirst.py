"""Follow-ups wait while Slack requests are being answered, but never past their deadline."""

from __future__ import annotations

import threading
import time

from bot.slack.ackfirst import AckFirst


def test_a_follow_up_waits_for_the_answer_in_flight() -> None:
    gate = AckFirst(max_wait=5.0)
    order: list[str] = []
    with gate.answering():
        deadline = gate.deadline()
        follow_up = threading.Thread(target=lambda: (gate.wait(deadline), order.append("work")))
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
