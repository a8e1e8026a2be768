"""Double clicks, Slack retries and two POs at once: one decision, at most one ticket."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.slack import blocks
from bot.slack.modals import ACCEPT_VIEW, DECLINE_VIEW
from bot.store.models import DecisionRow
from tests.slack.conftest import PO, PO2, Harness
from tests.slack.signed import Reply, form_payload, view_payload
from tests.slack.test_slack_intake import submit_request


def at_once(sends: list[Callable[[], Reply]]) -> list[Reply]:
    """Fire every request at the same moment from its own thread."""
    barrier = threading.Barrier(len(sends))
    replies: list[Reply | None] = [None] * len(sends)

    def run(index: int) -> None:
        barrier.wait()
        replies[index] = sends[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(reply is not None for reply in replies)
    return [reply for reply in replies if reply is not None]


def test_ten_concurrent_accepts_create_exactly_one_ticket(harness: Harness) -> None:
    request_id = submit_request(harness)
    harness.jira.delay = 0.2  # hold the claim while the others arrive
    meta = {"request": request_id, "version": 0}
    values = {"destination": "jira:PAY", "issue_type": "Story"}

    def accept(user: str) -> Callable[[], Reply]:
        return lambda: harness.send.view(ACCEPT_VIEW, values, meta, user)

    replies = at_once([accept(PO if i % 2 else PO2) for i in range(10)])
    assert [r.status for r in replies] == [200] * 10
    # Nine POs are told someone was first; wait for all ten outcomes before counting.
    harness.slack.wait_for(lambda: len(harness.slack.to("chat.postEphemeral")) == 9, "9 notes")
    harness.slack.wait_for(lambda: harness.slack.to("chat.update"), "the card update")
    assert len(harness.jira.drafts) == 1
    assert harness.count(DecisionRow) == 1
    assert len(harness.slack.to("chat.update")) == 1
    row = harness.request(request_id)
    assert (row.status, row.ticket_key) == ("accepted", "PAY-101")
    notes = [n["text"] for n in harness.slack.to("chat.postEphemeral")]
    assert all("already accept" in note for note in notes), notes


def test_ten_concurrent_accept_clicks_only_open_forms(harness: Harness) -> None:
    request_id = submit_request(harness)
    replies = at_once(
        [lambda: harness.send.action(blocks.ACCEPT, str(request_id), PO) for _ in range(10)]
    )
    assert [r.status for r in replies] == [200] * 10
    harness.slack.wait_for(lambda: len(harness.slack.to("views.open")) == 10, "10 forms")
    assert harness.jira.drafts == []
    assert harness.request(request_id).status == "pending"


def test_a_slack_retry_of_a_decision_decides_once(harness: Harness) -> None:
    request_id = submit_request(harness)
    body = form_payload(
        view_payload(
            DECLINE_VIEW, {"reason": "Not this quarter"}, {"request": request_id, "version": 0}, PO
        )
    )
    assert harness.send.signed(body).status == 200
    harness.slack.wait_for(lambda: harness.request(request_id).status == "declined", "declined")
    retry = harness.send.signed(
        body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"}
    )
    assert retry.status == 200
    harness.slack.wait_for(
        lambda: harness.slack.to("chat.postEphemeral"), "the already-decided note"
    )
    assert harness.count(DecisionRow) == 1
    assert len(harness.slack.to("chat.update")) == 1


def test_accept_and_decline_at_once_yield_one_decision(harness: Harness) -> None:
    request_id = submit_request(harness)
    harness.jira.delay = 0.2
    meta = {"request": request_id, "version": 0}
    replies = at_once(
        [
            lambda: harness.send.view(ACCEPT_VIEW, {"destination": "jira:PAY"}, meta, PO),
            lambda: harness.send.view(DECLINE_VIEW, {"reason": "No"}, meta, PO2),
        ]
    )
    assert [r.status for r in replies] == [200, 200]
    harness.slack.wait_for(lambda: harness.slack.to("chat.postEphemeral"), "the loser's note")
    harness.slack.wait_for(lambda: harness.count(DecisionRow) == 1, "one decision")
    harness.slack.wait_for(lambda: harness.slack.to("chat.update"), "the card update")
    status = harness.request(request_id).status
    assert status in ("accepted", "declined")
    assert len(harness.jira.drafts) == (1 if status == "accepted" else 0)
