"""Slack requests must be signed: unsigned, forged and stale ones get 401 and change nothing."""

from __future__ import annotations

from bot.slack.modals import INTAKE
from bot.store.models import RequestRow
from tests.slack.conftest import REQUESTER, Harness
from tests.slack.signed import form_payload, signed_headers, view_payload

FORM = "application/x-www-form-urlencoded"


def _intake_body() -> str:
    values = {"title": "Export invoices as CSV", "why": "Finance re-types 300 invoices a month"}
    return form_payload(view_payload(INTAKE, values, {}, REQUESTER))


def _assert_nothing_happened(harness: Harness) -> None:
    assert harness.count(RequestRow) == 0
    assert harness.slack.calls == []


def test_unsigned_request_is_refused(harness: Harness) -> None:
    reply = harness.send.raw(_intake_body(), {})
    assert reply.status == 401
    _assert_nothing_happened(harness)


def test_forged_signature_is_refused(harness: Harness) -> None:
    body = _intake_body()
    reply = harness.send.raw(body, signed_headers(body, secret="not-the-signing-secret"))
    assert reply.status == 401
    _assert_nothing_happened(harness)


def test_body_changed_after_signing_is_refused(harness: Harness) -> None:
    headers = signed_headers(_intake_body())
    tampered = _intake_body().replace("CSV", "PDF")
    assert harness.send.raw(tampered, headers).status == 401
    _assert_nothing_happened(harness)


def test_stale_timestamp_is_refused(harness: Harness) -> None:
    body = _intake_body()
    reply = harness.send.raw(body, signed_headers(body, age=6 * 60))
    assert reply.status == 401
    _assert_nothing_happened(harness)


def test_signed_request_is_accepted(harness: Harness) -> None:
    reply = harness.send.signed(_intake_body())
    assert reply.status == 200
    harness.slack.wait_for(lambda: harness.count(RequestRow) == 1, "the stored request")


def test_healthz(harness: Harness) -> None:
    import urllib.request

    with urllib.request.urlopen(harness.base_url + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert b'"ok"' in response.read()
