"""A real `refinery serve` SIGKILLed right after a 202: after a restart every accepted webhook is
stored and its comment written once (the full run is bench/fault_suite.py)."""

from __future__ import annotations

from pathlib import Path

from bench.faults.webhook_kill import run


def test_webhooks_accepted_before_a_sigkill_are_all_stored_and_commented(tmp_path: Path) -> None:
    outcome = run(tmp_path, count=30, kill_after=15, settle=90)
    assert outcome.accepted == 30, outcome.line()
    assert outcome.dropped > 0, "the kill interrupted nothing: the test proves nothing"
    assert (outcome.stored, outcome.pending) == (30, 0), outcome.line()
    assert outcome.commented_once == 30 and outcome.commented_twice == 0, outcome.line()
