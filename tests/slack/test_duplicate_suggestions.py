"""Likely duplicates on the triage card, and the one-click "Duplicate of KEY" decision."""

from __future__ import annotations

from typing import Any

from bot.store.models import DecisionRow
from tests.factories import make_item
from tests.slack.conftest import PO, REQUESTER, STRANGER, Harness
from tests.slack.test_slack_intake import dms_to, submit_request


def card(harness: Harness) -> dict[str, Any]:
    cards = [c for c in harness.slack.to("chat.postMessage") if c["channel"] == "CINTAKE"]
    return cards[-1]


def one_click_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    return [e for e in actions["elements"] if e["action_id"].startswith("refinery_duplicate_of")]


def test_card_suggests_the_stored_duplicate_and_one_click_decides_once(harness: Harness) -> None:
    harness.ctx.store.upsert_items(
        [
            make_item(
                key="PAY-7",
                url="https://example.atlassian.net/browse/PAY-7",
                title="Export invoices as CSV",
                text="Finance re-types invoices into the ledger; export them as CSV instead.",
            ),
            make_item(key="PAY-8", title="Dark mode for the dashboard", text="Night shift."),
        ]
    )
    request_id = submit_request(harness)
    message = card(harness)
    text = message["blocks"][0]["text"]["text"]
    assert "Possibly a duplicate of" in text
    assert (
        "<https://example.atlassian.net/browse/PAY-7|PAY-7> Export invoices as CSV (To Do)" in text
    )
    buttons = one_click_buttons(message)
    assert [b["text"]["text"] for b in buttons] == ["Duplicate of PAY-7"]
    value = buttons[0]["value"]
    assert value == f"{request_id}:PAY-7"

    reply = harness.send.action(buttons[0]["action_id"], value, STRANGER, name="stranger")
    assert reply.status == 200
    harness.slack.wait_for(lambda: harness.slack.to("respond:stranger"), "the refusal")
    assert harness.request(request_id).status == "pending"

    for _ in range(2):  # a double click decides once
        assert harness.send.action(buttons[0]["action_id"], value, PO).status == 200
    told = harness.slack.wait_for(
        lambda: [m for m in dms_to(harness, REQUESTER) if "already in the backlog" in m["text"]],
        "the requester told",
    )
    harness.slack.wait_for(lambda: harness.slack.to("respond:action"), "the second click answered")
    row = harness.request(request_id)
    assert (row.status, row.ticket_key) == ("duplicate", "PAY-7")
    assert harness.count(DecisionRow) == 1
    assert len(told) == 1
    assert "already" in harness.slack.to("respond:action")[0]["text"]  # decided, or lost the race


def test_no_suggestion_when_nothing_is_alike(harness: Harness) -> None:
    harness.ctx.store.upsert_items([make_item(key="PAY-8", title="Dark mode", text="Night.")])
    submit_request(harness)
    message = card(harness)
    assert one_click_buttons(message) == []
    assert "Possibly a duplicate" not in message["blocks"][0]["text"]["text"]
