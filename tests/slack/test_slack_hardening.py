"""Signatures before parsing, malformed timestamps, replayed submissions, form-only methods."""

from __future__ import annotations

import time

from bot.slack.modals import INTAKE
from bot.store.models import RequestRow
from tests.slack.conftest import REQUESTER, Harness
from tests.slack.signed import form_payload, signature, signed_headers, view_payload

FORM = {"title": "Export invoices as CSV", "why": "Finance re-types 300 invoices a month"}


def _intake_body() -> str:
    return form_payload(view_payload(INTAKE, FORM, {}, REQUESTER))


def test_a_non_numeric_timestamp_is_a_401_not_a_500(harness: Harness) -> None:
    body = _intake_body()
    for stamp in ("soon", "1.5e9", "-", " ", "0x10", "99999999999999"):
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature(body, stamp)}
        assert harness.send.raw(body, headers).status == 401, stamp
    assert harness.count(RequestRow) == 0 and harness.slack.calls == []


def test_a_doubled_timestamp_header_is_a_401(harness: Harness) -> None:
    import http.client
    from urllib.parse import urlparse

    body = _intake_body()
    stamp = str(int(time.time()))
    target = urlparse(harness.base_url)
    connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(len(body)))
    connection.putheader("X-Slack-Request-Timestamp", stamp)
    connection.putheader("X-Slack-Request-Timestamp", stamp)
    connection.putheader("X-Slack-Signature", signature(body, stamp))
    connection.endheaders(body.encode())
    assert connection.getresponse().status == 401
    connection.close()
    assert harness.count(RequestRow) == 0


def test_a_deeply_nested_unsigned_body_is_refused_before_it_is_parsed(harness: Harness) -> None:
    body = "[" * 300_000 + "]" * 300_000  # 600 KB that a JSON parser would recurse into
    reply = harness.send.raw(body, {}, "application/json")
    assert reply.status == 401
    reply = harness.send.raw("payload=" + body, {"X-Slack-Request-Timestamp": "1"})
    assert reply.status == 401
    assert harness.slack.calls == []


def test_a_replayed_signed_intake_submission_files_one_request(harness: Harness) -> None:
    body = _intake_body()
    headers = signed_headers(body)
    assert harness.send.raw(body, headers).status == 200
    harness.slack.wait_for(lambda: harness.count(RequestRow) == 1, "the stored request")

    def cards() -> list[dict[str, object]]:
        posted = harness.slack.to("chat.postMessage")
        return [m for m in posted if str(m.get("text", "")).startswith("Request #")]

    def thanks() -> list[dict[str, object]]:
        posted = harness.slack.to("chat.postMessage")
        return [m for m in posted if str(m.get("text", "")).startswith("Thanks!")]

    # Both messages of the first submission (the card and the requester's thanks) arrive.
    harness.slack.wait_for(lambda: cards() and thanks(), "the card and the thanks")
    # The same signed bytes again, inside Slack's five-minute window.
    assert harness.send.raw(body, headers).status == 200
    time.sleep(0.5)  # work after the ack is asynchronous: give a second request time to appear
    assert harness.count(RequestRow) == 1
    assert len(cards()) == 1 and len(thanks()) == 1


def test_get_permalink_is_sent_form_encoded(harness: Harness) -> None:
    assert harness.send.shortcut("refinery_send_to_backlog", "CSV please", REQUESTER).status == 200
    calls = harness.slack.wait_for(lambda: harness.slack.to("chat.getPermalink"), "the call")
    assert calls == [{"channel": "C111", "message_ts": "1678252212.229129"}]
    view = harness.slack.wait_for(lambda: harness.slack.to("views.open"), "the form")[0]["view"]
    links = next(b for b in view["blocks"] if b["block_id"] == "links")
    assert links["element"]["initial_value"] == "https://example.slack.com/archives/C1/p1"
