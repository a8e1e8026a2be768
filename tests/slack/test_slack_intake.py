"""Intake over signed HTTP: the form, the shortcut, and Accept / Decline / Need info / Duplicate."""

from __future__ import annotations

from typing import Any

from bot.slack import blocks
from bot.slack.modals import (
    ACCEPT_VIEW,
    DECLINE_VIEW,
    DETAILS_VIEW,
    DUPLICATE_VIEW,
    INTAKE,
    NEED_INFO_VIEW,
)
from bot.store.models import DecisionRow, RequestRow
from tests.factories import make_item
from tests.slack.conftest import PO, REQUESTER, STRANGER, Harness

FORM = {
    "title": "Export invoices as CSV",
    "why": "Finance re-types 300 invoices a month into the ledger",
    "affected": "Finance team (4 people)",
    "outcome": "Manual re-typing drops to zero within a month",
    "urgency": "high",
    "date": "2026-12-15",
    "links": "https://wiki.example.com/finance/invoices",
}


def submit_request(harness: Harness, **overrides: str) -> int:
    """File a request through the form; return its id once its card is posted."""
    reply = harness.send.view(INTAKE, {**FORM, **overrides}, {}, REQUESTER)
    assert reply.status == 200
    cards = harness.slack.wait_for(
        lambda: [c for c in harness.slack.to("chat.postMessage") if c["channel"] == "CINTAKE"],
        "the triage card",
    )
    row = harness.slack.wait_for(
        lambda: next((r for r in harness.runtime.intake.requests() if r.card_ts), None),
        "the stored card ts",
    )
    assert row.card_ts == f"1700000000.{len(harness.slack.to('chat.postMessage')):06d}"
    assert cards
    return int(row.id)


def last_view(harness: Harness, count: int = 1) -> dict[str, Any]:
    opened = harness.slack.wait_for(
        lambda: (v := harness.slack.to("views.open")) and len(v) >= count and v, "views.open"
    )
    view: dict[str, Any] = opened[-1]["view"]
    return view


def meta_of(view: dict[str, Any]) -> dict[str, Any]:
    import json

    meta: dict[str, Any] = json.loads(view["private_metadata"])
    return meta


def dms_to(harness: Harness, user: str) -> list[dict[str, Any]]:
    return [c for c in harness.slack.to("chat.postMessage") if c["channel"] == user]


def test_submitting_the_form_stores_a_pending_request_and_posts_a_card(harness: Harness) -> None:
    request_id = submit_request(harness)
    row = harness.request(request_id)
    assert (row.status, row.requester, row.origin, row.version) == (
        "pending",
        REQUESTER,
        "slack",
        0,
    )
    assert row.title == FORM["title"] and row.outcome == FORM["outcome"]
    assert row.urgency == "high, by 2026-12-15"
    assert row.card_channel == "CINTAKE"
    confirmation = harness.slack.wait_for(lambda: dms_to(harness, REQUESTER), "the confirmation")
    assert f"Request #{request_id}" in confirmation[0]["text"]
    card = next(c for c in harness.slack.to("chat.postMessage") if c["channel"] == "CINTAKE")
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == list(blocks.TRIAGE_ACTIONS)
    assert {e["value"] for e in actions["elements"]} == {str(request_id)}


def test_form_without_a_why_is_sent_back(harness: Harness) -> None:
    reply = harness.send.view(INTAKE, {**FORM, "why": "  "}, {}, REQUESTER)
    assert reply.status == 200
    assert reply.json() == {"response_action": "errors", "errors": {"why": "Required."}}
    assert harness.count(RequestRow) == 0


def test_message_shortcut_prefills_the_form(harness: Harness) -> None:
    text = "Can we get invoices as CSV?\nFinance keeps re-typing them."
    assert harness.send.shortcut("refinery_send_to_backlog", text, REQUESTER).status == 200
    view = last_view(harness)
    values = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert values["title"] == "Can we get invoices as CSV?"
    assert values["why"] == text
    assert values["links"] == "https://example.slack.com/archives/C1/p1"


def test_accept_creates_the_ticket_updates_the_card_and_tells_the_requester(
    harness: Harness,
) -> None:
    request_id = submit_request(harness)
    assert harness.send.action(blocks.ACCEPT, str(request_id), PO).status == 200
    view = last_view(harness)
    assert view["callback_id"] == ACCEPT_VIEW
    destination = next(b for b in view["blocks"] if b.get("block_id") == "destination")
    assert destination["element"]["initial_option"]["value"] == "jira:PAY"
    options = [o["value"] for o in destination["element"]["options"]]
    assert options == ["jira:PAY", "github:acme/shop"]
    issue_type = next(b for b in view["blocks"] if b.get("block_id") == "issue_type")
    assert issue_type["element"]["initial_value"] == "Story"

    values = {"destination": "jira:PAY", "issue_type": "Story"}
    assert harness.send.view(ACCEPT_VIEW, values, meta_of(view), PO).status == 200
    update = harness.slack.wait_for(lambda: harness.slack.to("chat.update"), "the card update")[0]
    assert update["channel"] == "CINTAKE"
    assert (
        f"Accepted by <@{PO}> → <https://example.atlassian.net/browse/PAY-101|PAY-101>"
        in (update["text"])
    )
    assert not any(b["type"] == "actions" for b in update["blocks"])
    [draft] = harness.jira.drafts
    assert (draft.project, draft.title, draft.why, draft.outcome, draft.issue_type) == (
        "PAY",
        FORM["title"],
        FORM["why"],
        FORM["outcome"],
        "Story",
    )
    assert draft.requested_by == REQUESTER
    told = harness.slack.wait_for(
        lambda: [m for m in dms_to(harness, REQUESTER) if "accepted" in m["text"]], "the news"
    )
    assert "browse/PAY-101|PAY-101" in told[0]["text"]
    row = harness.request(request_id)
    assert (row.status, row.ticket_key) == ("accepted", "PAY-101")
    [decision] = harness.runtime.intake.decisions(request_id)
    assert (decision.action, decision.actor, decision.target) == ("accept", PO, "PAY-101")


def test_accept_into_a_github_repo(harness: Harness) -> None:
    request_id = submit_request(harness)
    meta = {"request": request_id, "version": 0}
    harness.send.view(ACCEPT_VIEW, {"destination": "github:acme/shop"}, meta, PO)
    harness.slack.wait_for(lambda: harness.github.drafts, "the GitHub issue")
    assert harness.github.drafts[0].project == "acme/shop"
    assert harness.jira.drafts == []


def test_non_po_cannot_accept(harness: Harness) -> None:
    request_id = submit_request(harness)
    assert harness.send.action(blocks.ACCEPT, str(request_id), STRANGER, "refusal").status == 200
    refusal = harness.slack.wait_for(lambda: harness.slack.to("respond:refusal"), "the refusal")
    assert refusal[0]["response_type"] == "ephemeral"
    assert "Only product owners" in refusal[0]["text"]
    assert harness.slack.to("views.open") == []
    # Even a crafted submission of the accept form changes nothing.
    meta = {"request": request_id, "version": 0}
    harness.send.view(ACCEPT_VIEW, {"destination": "jira:PAY"}, meta, STRANGER)
    harness.slack.wait_for(lambda: harness.slack.to("chat.postEphemeral"), "the second refusal")
    assert harness.jira.drafts == []
    row = harness.request(request_id)
    assert (row.status, row.version) == ("pending", 0)
    assert harness.count(DecisionRow) == 0


def test_decline_requires_a_reason_and_tells_the_requester(harness: Harness) -> None:
    request_id = submit_request(harness)
    harness.send.action(blocks.DECLINE, str(request_id), PO)
    view = last_view(harness)
    assert view["callback_id"] == DECLINE_VIEW
    empty = harness.send.view(DECLINE_VIEW, {"reason": " "}, meta_of(view), PO)
    assert empty.json()["response_action"] == "errors"
    reason = "It does not serve this quarter's goal (activation); ask again in Q2."
    harness.send.view(DECLINE_VIEW, {"reason": reason}, meta_of(view), PO)
    told = harness.slack.wait_for(
        lambda: [m for m in dms_to(harness, REQUESTER) if "declined" in m["text"]], "the news"
    )
    assert "activation" in told[0]["text"]
    update = harness.slack.wait_for(lambda: harness.slack.to("chat.update"), "card update")[0]
    assert f"Declined by <@{PO}>" in update["text"]
    assert harness.request(request_id).status == "declined"
    assert harness.jira.drafts == []


def test_need_info_round_trip_returns_the_request_to_pending(harness: Harness) -> None:
    request_id = submit_request(harness)
    harness.send.action(blocks.NEED_INFO, str(request_id), PO)
    view = last_view(harness)
    question = "How many invoices a month, and which ledger?"
    harness.send.view(NEED_INFO_VIEW, {"question": question}, meta_of(view), PO)
    prompt = harness.slack.wait_for(
        lambda: [m for m in dms_to(harness, REQUESTER) if m.get("blocks")], "the question"
    )[0]
    assert question in prompt["blocks"][0]["text"]["text"]
    button = prompt["blocks"][1]["elements"][0]
    assert (button["action_id"], button["value"]) == (blocks.ADD_DETAILS, str(request_id))
    assert harness.request(request_id).status == "need_info"

    # Someone else cannot answer for the requester.
    harness.send.action(blocks.ADD_DETAILS, str(request_id), STRANGER, "not-yours")
    harness.slack.wait_for(lambda: harness.slack.to("respond:not-yours"), "the refusal")

    harness.send.action(blocks.ADD_DETAILS, str(request_id), REQUESTER)
    details_view = last_view(harness, count=2)
    assert details_view["callback_id"] == DETAILS_VIEW
    assert question in details_view["blocks"][0]["text"]["text"]
    answer = "About 300 a month, into the Xero ledger."
    harness.send.view(DETAILS_VIEW, {"details": answer}, meta_of(details_view), REQUESTER)
    harness.slack.wait_for(
        lambda: harness.request(request_id).status == "pending", "the request to be pending"
    )
    row = harness.request(request_id)
    assert row.extra["details"] == [{"by": REQUESTER, "text": answer}]
    assert row.version == 2
    cards = harness.slack.wait_for(
        lambda: [u for u in harness.slack.to("chat.update") if "Xero" in str(u["blocks"])],
        "the card with the details and the buttons again",
    )
    assert any(b["type"] == "actions" for b in cards[-1]["blocks"])
    # The PO can now decide on the refreshed request.
    harness.send.view(
        ACCEPT_VIEW, {"destination": "jira:PAY"}, {"request": request_id, "version": 2}, PO
    )
    harness.slack.wait_for(lambda: harness.jira.drafts, "the ticket")


def test_duplicate_points_the_requester_to_the_existing_item(harness: Harness) -> None:
    harness.ctx.store.upsert_items(
        [make_item(key="PAY-7", url="https://example.atlassian.net/browse/PAY-7")]
    )
    request_id = submit_request(harness)
    harness.send.action(blocks.DUPLICATE, str(request_id), PO)
    view = last_view(harness)
    wrong = harness.send.view(DUPLICATE_VIEW, {"key": "PAY-404"}, meta_of(view), PO)
    assert wrong.json() == {
        "response_action": "errors",
        "errors": {"key": "No item PAY-404 in the store."},
    }
    harness.send.view(DUPLICATE_VIEW, {"key": "PAY-7"}, meta_of(view), PO)
    told = harness.slack.wait_for(
        lambda: [m for m in dms_to(harness, REQUESTER) if "already in the backlog" in m["text"]],
        "the link",
    )
    assert "<https://example.atlassian.net/browse/PAY-7|PAY-7>" in told[0]["text"]
    row = harness.request(request_id)
    assert (row.status, row.ticket_key) == ("duplicate", "PAY-7")


def test_failed_ticket_creation_releases_the_request(harness: Harness) -> None:
    request_id = submit_request(harness)
    harness.jira.fail_next = 1
    meta = {"request": request_id, "version": 0}
    harness.send.view(ACCEPT_VIEW, {"destination": "jira:PAY"}, meta, PO)
    note = harness.slack.wait_for(lambda: harness.slack.to("chat.postEphemeral"), "the PO note")
    assert note[0]["user"] == PO and "tracker refused" in note[0]["text"]
    row = harness.request(request_id)
    assert (row.status, row.version) == ("pending", 2)
    assert harness.count(DecisionRow) == 0
    # Pressed again (a fresh form carries the new version), it goes through.
    harness.send.view(ACCEPT_VIEW, {"destination": "jira:PAY"}, {**meta, "version": 2}, PO)
    harness.slack.wait_for(lambda: harness.request(request_id).status == "accepted", "accepted")
    assert len(harness.jira.drafts) == 1


def test_decided_request_cannot_be_decided_again(harness: Harness) -> None:
    request_id = submit_request(harness)
    meta = {"request": request_id, "version": 0}
    harness.send.view(DECLINE_VIEW, {"reason": "Not now"}, meta, PO)
    harness.slack.wait_for(lambda: harness.request(request_id).status == "declined", "declined")
    harness.send.action(blocks.ACCEPT, str(request_id), PO, "late")
    late = harness.slack.wait_for(lambda: harness.slack.to("respond:late"), "the late answer")
    assert "already decided: Declined" in late[0]["text"]
    harness.send.view(ACCEPT_VIEW, {"destination": "jira:PAY"}, meta, PO2 := "UPO2")
    harness.slack.wait_for(
        lambda: [e for e in harness.slack.to("chat.postEphemeral") if e["user"] == PO2], "note"
    )
    assert harness.jira.drafts == []
    assert harness.count(DecisionRow) == 1


def test_forms_open_even_when_every_follow_up_worker_is_busy(harness: Harness) -> None:
    import threading

    request_id = submit_request(harness)
    release = threading.Event()
    for _ in range(20):  # more than the pool has threads: answers queue up behind these
        harness.runtime.spawn(release.wait, 30)
    try:
        harness.send.action(blocks.ACCEPT, str(request_id), PO)
        view = last_view(harness)  # the trigger id would expire while queued behind answers
        assert view["callback_id"] == ACCEPT_VIEW
    finally:
        release.set()
