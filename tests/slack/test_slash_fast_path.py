"""Slash commands acknowledged ahead of Bolt: only validly signed ones; the rest get Bolt's 401."""

from __future__ import annotations

from tests.slack.conftest import Harness
from tests.slack.signed import signed_headers, slash_body


def test_a_signed_command_is_acknowledged_and_answered(harness: Harness) -> None:
    reply = harness.send.command("help", name="fast")
    assert (reply.status, reply.body) == (200, "")
    harness.slack.wait_for(lambda: harness.slack.to("respond:fast"), "the help answer")


def test_unsigned_forged_and_stale_commands_are_refused(harness: Harness) -> None:
    body = slash_body("help", "W111", harness.slack.response_url("never"))
    refused = [
        harness.send.raw(body, {}),
        harness.send.raw(body, signed_headers(body, secret="not-the-signing-secret")),
        harness.send.raw(body, signed_headers(body, age=6 * 60)),
        harness.send.raw(body.replace("help", "health"), signed_headers(body)),
    ]
    assert [reply.status for reply in refused] == [401, 401, 401, 401]
    # A good command sent after them is answered; by then a refused one would have been too.
    assert harness.send.command("help", name="after").status == 200
    harness.slack.wait_for(lambda: harness.slack.to("respond:after"), "the later answer")
    assert harness.slack.to("respond:never") == []
