"""The say-no proposal over signed HTTP: Keep, Decline with a reason, once under 10 clicks."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.scheduler.prune_job import send_prune
from bot.services import prune
from bot.slack import prune as slack_prune
from bot.slack.poster import SlackPoster
from bot.store.models import PruneProposal
from bot.store.prune import Proposal
from tests.factories import make_item
from tests.slack.conftest import PO, PO2, STRANGER, Harness

OLD = datetime.now(UTC) - timedelta(days=200)


def propose(harness: Harness, count: int = 3) -> list[Proposal]:
    """Store `count` stale, goal-less items and one fresh one; send the proposal."""
    items = [
        make_item(key=f"PAY-{n}", title=f"Old idea {n}", created=OLD, updated=OLD, rank=f"0|{n}")
        for n in range(1, count + 1)
    ]
    items.append(make_item(key="PAY-99", title="Fresh", rank="0|0", updated=datetime.now(UTC)))
    harness.ctx.store.upsert_items(items)
    poster = SlackPoster(harness.ctx.slack, interval=0.0)
    outcome = send_prune(harness.ctx, poster=poster)
    assert [len(t.candidates) for t in outcome.run.teams] == [count]
    rows = prune.batch(harness.ctx.store, outcome.run.teams[0].batch)
    assert [r.key for r in rows] == [f"PAY-{n}" for n in range(1, count + 1)]
    return rows


def message_to(harness: Harness, user: str) -> dict[str, Any]:
    return next(c for c in harness.slack.to("chat.postMessage") if c["channel"] == user)


def status(harness: Harness, proposal_id: int) -> str:
    row = prune.get(harness.ctx.store, proposal_id)
    assert row is not None
    return row.status


def test_each_po_gets_one_message_with_keep_and_decline(harness: Harness) -> None:
    rows = propose(harness)
    for po in (PO, PO2):
        message = message_to(harness, po)
        buttons = [
            (e["action_id"], e["value"])
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]
        assert buttons == [
            pair
            for row in rows
            for pair in ((slack_prune.KEEP, str(row.id)), (slack_prune.DECLINE, str(row.id)))
        ]
        assert "no goal" in str(message["blocks"])
    assert len(harness.slack.to("chat.postMessage")) == 2
    assert all(set(r.messages) == {PO, PO2} for r in prune.batch(harness.ctx.store, rows[0].batch))


def test_keep_snoozes_the_item_and_updates_both_messages(harness: Harness) -> None:
    rows = propose(harness)
    assert harness.send.action(slack_prune.KEEP, str(rows[0].id), PO).status == 200
    harness.slack.wait_for(lambda: status(harness, rows[0].id) == prune.KEPT, "kept")
    updates = harness.slack.wait_for(
        lambda: len(harness.slack.to("chat.update")) >= 2 and harness.slack.to("chat.update"),
        "both messages redrawn",
    )
    assert {u["channel"] for u in updates} == {PO, PO2}
    assert "Kept" in str(updates[-1]["blocks"])
    kept = prune.get(harness.ctx.store, rows[0].id)
    assert kept is not None and kept.decided_by == PO and kept.snooze_until is not None
    assert kept.snooze_until > datetime.now(UTC) + timedelta(days=89)
    # Next run: the kept item is snoozed; the two left undecided are proposed again, and
    # their old buttons now say the proposal expired.
    again = send_prune(harness.ctx, poster=SlackPoster(harness.ctx.slack, interval=0.0))
    assert [c.key for c in again.run.teams[0].candidates] == ["PAY-2", "PAY-3"]
    assert status(harness, rows[1].id) == prune.EXPIRED
    redrawn = harness.slack.to("chat.update")[-2:]  # the old message of each PO
    assert {u["channel"] for u in redrawn} == {PO, PO2}
    assert "Expired: a newer proposal replaced this one" in str(redrawn[-1]["blocks"])
    assert harness.send.action(slack_prune.KEEP, str(rows[1].id), PO, "old").status == 200
    late = harness.slack.wait_for(lambda: harness.slack.to("respond:old"), "the late answer")
    assert "PAY-2 is already expired." in late[0]["text"]
    assert harness.jira.closed == []


def test_non_po_clicks_change_nothing(harness: Harness) -> None:
    rows = propose(harness)
    assert harness.send.action(slack_prune.KEEP, str(rows[0].id), STRANGER, "k").status == 200
    refusal = harness.slack.wait_for(lambda: harness.slack.to("respond:k"), "the refusal")
    assert "Nothing was changed" in refusal[0]["text"]
    assert harness.send.action(slack_prune.DECLINE, str(rows[0].id), STRANGER, "d").status == 200
    harness.slack.wait_for(lambda: harness.slack.to("respond:d"), "the refusal")
    meta = {"proposal": rows[0].id, "version": 0}
    reply = harness.send.view(slack_prune.DECLINE_VIEW, {"reason": "Nope"}, meta, STRANGER)
    assert reply.status == 200
    harness.slack.wait_for(
        lambda: [e for e in harness.slack.to("chat.postMessage") if e["channel"] == STRANGER],
        "the refusal DM",
    )
    assert status(harness, rows[0].id) == prune.PROPOSED
    assert harness.jira.closed == [] and harness.slack.to("views.open") == []


def test_the_prune_service_refuses_a_stranger_whoever_calls_it(harness: Harness) -> None:
    # No Slack involved: the service itself asks the authoriser before any claim or close.
    rows = propose(harness)
    store, owners = harness.ctx.store, harness.runtime.owners
    with pytest.raises(prune.NotAllowed, match="Nothing was changed"):
        prune.keep(store, rows[0].id, rows[0].version, STRANGER, 30, owners=owners)
    with pytest.raises(prune.NotAllowed):
        prune.decline(
            store, harness.ctx.tracker, rows[1].id, rows[1].version, STRANGER, "No", owners=owners
        )
    assert [status(harness, r.id) for r in rows[:2]] == [prune.PROPOSED, prune.PROPOSED]
    assert harness.jira.closed == []
    kept = prune.keep(store, rows[0].id, rows[0].version, PO, 30, owners=owners)
    assert kept.status == prune.KEPT


def test_decline_needs_a_reason_then_closes_the_ticket_with_it(harness: Harness) -> None:
    harness.ctx.settings.prune.jira_transition = "Won't Do"
    rows = propose(harness)
    assert harness.send.action(slack_prune.DECLINE, str(rows[1].id), PO).status == 200
    view = harness.slack.wait_for(lambda: harness.slack.to("views.open"), "the modal")[0]["view"]
    assert view["callback_id"] == slack_prune.DECLINE_VIEW
    meta = json.loads(view["private_metadata"])
    empty = harness.send.view(slack_prune.DECLINE_VIEW, {"reason": "   "}, meta, PO)
    assert empty.json() == {
        "response_action": "errors",
        "errors": {"reason": "Say why: it goes on the ticket."},
    }
    assert status(harness, rows[1].id) == prune.PROPOSED and harness.jira.closed == []
    reason = "Superseded by the new checkout; not worth the sprint."
    assert harness.send.view(slack_prune.DECLINE_VIEW, {"reason": reason}, meta, PO).status == 200
    harness.slack.wait_for(lambda: status(harness, rows[1].id) == prune.DECLINED, "declined")
    assert harness.jira.closed == [
        ("PAY-2", f"Declined by the product owner at the backlog prune: {reason}")
    ]
    assert harness.jira.closed_to == ["Won't Do"]
    row = prune.get(harness.ctx.store, rows[1].id)
    assert row is not None and (row.decided_by, row.reason) == (PO, reason)
    decided = prune.decisions_since(harness.ctx.store, "backlog", OLD)
    assert [r.id for r in decided] == [row.id]


def test_ten_concurrent_declines_close_once(harness: Harness) -> None:
    rows = propose(harness, count=1)
    harness.jira.delay = 0.2  # keep the first close in flight while the others arrive
    meta = {"proposal": rows[0].id, "version": 0}
    replies: list[int] = []

    def click(user: str) -> None:
        reply = harness.send.view(slack_prune.DECLINE_VIEW, {"reason": "Out of scope"}, meta, user)
        replies.append(reply.status)

    threads = [threading.Thread(target=click, args=(PO if n % 2 else PO2,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert replies == [200] * 10
    harness.slack.wait_for(lambda: status(harness, rows[0].id) == prune.DECLINED, "declined")
    harness.slack.wait_for(
        lambda: len(harness.slack.to("chat.postMessage")) >= 2 + 9, "nine 'already' notes"
    )
    assert len(harness.jira.closed) == 1
    with harness.ctx.store.session() as session:
        assert session.scalar(select(func.count()).select_from(PruneProposal)) == 1


def test_a_failed_close_leaves_the_proposal_open(harness: Harness) -> None:
    rows = propose(harness, count=1)
    harness.jira.fail_next = 1
    meta = {"proposal": rows[0].id, "version": 0}
    harness.send.view(slack_prune.DECLINE_VIEW, {"reason": "Out of scope"}, meta, PO)
    note = harness.slack.wait_for(
        lambda: [e for e in harness.slack.to("chat.postMessage") if e["channel"] == PO][1:],
        "the failure note",
    )
    assert "Nothing was decided" in note[0]["text"]
    assert status(harness, rows[0].id) == prune.PROPOSED
    fresh = prune.get(harness.ctx.store, rows[0].id)
    assert fresh is not None
    meta = {"proposal": fresh.id, "version": fresh.version}
    harness.send.view(slack_prune.DECLINE_VIEW, {"reason": "Out of scope"}, meta, PO)
    harness.slack.wait_for(lambda: status(harness, rows[0].id) == prune.DECLINED, "declined")
    assert len(harness.jira.closed) == 1


def test_slash_health_shows_the_leanness_report(harness: Harness) -> None:
    from bot.services.health import Answers
    from tests.slack.test_slack_commands import answer, flat

    harness.runtime.answers = Answers(harness.ctx.store, harness.ctx.engine)  # in process
    harness.ctx.store.upsert_items(
        [make_item(key="PAY-1", created=OLD, updated=OLD), make_item(key="PAY-2")]
    )
    text = flat(answer(harness, "health PAY"))
    assert "*Leanness*" in text
    assert "2 open items by age" in text and "6-12 months: 1" in text
    assert "Never touched since created: 1" in text
