"""Webhook HTTP contract: signatures, sizes, shapes and redeliveries; nothing changes on a 4xx."""

from __future__ import annotations

import json

import pytest

from bot.webhooks.signatures import sign, verify
from tests.webhooks.conftest import GITHUB_SECRET, JIRA_SECRET, HookFactory, fixture

ISSUE = fixture("github", "webhook_issues_edited_body.json")
JIRA_ISSUE = fixture("jira", "webhook_issue_created.json")


def github_headers(body: bytes, signature: str | None, delivery: str = "d-1") -> dict[str, str]:
    headers = {"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return headers


@pytest.mark.parametrize(
    ("source", "body", "signature", "status"),
    [
        ("github", json.dumps(ISSUE).encode(), sign("wrong-secret", b"x"), 401),
        ("github", json.dumps(ISSUE).encode(), None, 401),
        ("github", json.dumps(ISSUE).encode(), "sha1=0123", 401),
        ("github", b'{"action": "edited", "issue": {', "sign", 400),
        ("github", b"[1, 2, 3]", "sign", 400),
        ("github", json.dumps({"action": "opened", "issue": {"number": 1}}).encode(), "sign", 400),
        ("github", b"\xff\xfe not utf-8", "sign", 400),
        ("github", b'{"pad": "' + b"x" * 70_000 + b'"}', "sign", 413),
        ("jira", json.dumps(JIRA_ISSUE).encode(), sign(GITHUB_SECRET, b"x"), 401),
        ("jira", json.dumps(JIRA_ISSUE).encode(), None, 401),
        ("jira", b"not json at all", "sign", 400),
        ("jira", json.dumps({"webhookEvent": "jira:issue_created"}).encode(), "sign", 400),
        ("jira", json.dumps({"issue": JIRA_ISSUE["issue"]}).encode(), "sign", 400),
        ("jira", b" " * 65_537, "sign", 413),
    ],
    ids=[
        "gh-bad-signature",
        "gh-missing-signature",
        "gh-not-sha256",
        "gh-malformed-json",
        "gh-not-an-object",
        "gh-wrong-shape",
        "gh-not-utf8",
        "gh-oversized",
        "jira-bad-signature",
        "jira-missing-signature",
        "jira-malformed-json",
        "jira-no-issue",
        "jira-no-event-name",
        "jira-oversized",
    ],
)
def test_refused_requests_get_their_status_and_change_nothing(
    make_hook: HookFactory, source: str, body: bytes, signature: str | None, status: int
) -> None:
    hook = make_hook()
    secret = GITHUB_SECRET if source == "github" else JIRA_SECRET
    if signature == "sign":
        signature = sign(secret, body)
    if source == "github":
        headers = github_headers(body, signature)
    else:
        headers = {"X-Atlassian-Webhook-Identifier": "d-1"}
        if signature is not None:
            headers["X-Hub-Signature"] = signature
    before = hook.snapshot()

    got, answer = hook.post(f"/webhooks/{source}", body, headers)

    assert got == status and "error" in answer
    assert hook.snapshot() == before
    assert list(hook.dispatcher.outcomes) == []


def test_a_refused_delivery_can_still_arrive_properly_later(make_hook: HookFactory) -> None:
    hook = make_hook()
    body = json.dumps(ISSUE).encode()
    assert hook.post("/webhooks/github", body, github_headers(body, "sha256=00"))[0] == 401
    assert hook.github_event("issues", ISSUE, delivery="d-1")[0] == 202  # same delivery id
    assert hook.ctx.store.keys("github") == {"Pritesh-30/test-repo#6"}


def test_a_redelivered_webhook_is_processed_once(make_hook: HookFactory) -> None:
    hook = make_hook()
    first = hook.github_event("issues", ISSUE, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    again = hook.github_event("issues", ISSUE, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958")
    jira_first = hook.jira_event(JIRA_ISSUE, delivery="b8a4c3c8-0c5e-4d3c-9d5d-1")
    jira_again = hook.jira_event(JIRA_ISSUE, delivery="b8a4c3c8-0c5e-4d3c-9d5d-1")

    assert first == (202, {"status": "accepted"}) and again == (200, {"status": "duplicate"})
    assert jira_first[0] == 202 and jira_again == (200, {"status": "duplicate"})
    assert len(hook.dispatcher.outcomes) == 2
    assert len(hook.github.writes) == 1 and len(hook.jira.writes) == 1


def test_without_a_delivery_id_an_identical_body_is_a_redelivery(make_hook: HookFactory) -> None:
    hook = make_hook()
    body = json.dumps(JIRA_ISSUE).encode()
    headers = {"X-Hub-Signature": sign(JIRA_SECRET, body)}
    assert hook.post("/webhooks/jira", body, headers)[0] == 202
    assert hook.post("/webhooks/jira", body, headers) == (200, {"status": "duplicate"})
    assert len(hook.dispatcher.outcomes) == 1


def test_unsigned_requests_need_an_explicit_opt_in(make_hook: HookFactory) -> None:
    closed = make_hook(jira={"webhook_secret": None})
    body = json.dumps(JIRA_ISSUE).encode()
    status, answer = closed.post("/webhooks/jira", body, {})
    assert status == 401 and "unsigned" in answer["error"]
    assert closed.ctx.store.keys("jira") == set()


def test_unsigned_requests_pass_when_allowed(make_hook: HookFactory) -> None:
    hook = make_hook(jira={"webhook_secret": None}, server={"allow_unsigned_webhooks": True})
    body = json.dumps(JIRA_ISSUE).encode()
    assert hook.post("/webhooks/jira", body, {})[0] == 202
    assert hook.ctx.store.keys("jira") == {"KAN-22"}


def test_github_ping_and_unused_events_are_answered_and_ignored(make_hook: HookFactory) -> None:
    hook = make_hook()
    before = hook.snapshot()
    assert hook.github_event("ping", {"zen": "Keep it logically awesome."}) == (
        200,
        {"status": "pong"},
    )
    assert hook.github_event("push", {"ref": "refs/heads/main"})[1]["status"] == "ignored"
    assert hook.snapshot() == before


def test_comments_disabled_still_keeps_the_store_current(make_hook: HookFactory) -> None:
    hook = make_hook(comments={"enabled": False})
    assert hook.github_event("issues", ISSUE)[0] == 202
    assert hook.ctx.store.keys("github") == {"Pritesh-30/test-repo#6"}
    assert hook.github.calls == []
    open_findings = hook.ctx.store.open_findings("github")["github:Pritesh-30/test-repo#6"]
    assert {row.rule for row in open_findings} == {
        "missing-why",
        "missing-outcome",
        "missing-estimate",
    }


def test_verify_rules() -> None:
    from pydantic import SecretStr

    body = b'{"a": 1}'
    good = sign("s", body)
    assert verify(SecretStr("s"), good, body, allow_unsigned=False) is None
    assert verify(SecretStr("s"), good, body + b" ", allow_unsigned=False) == (
        "signature does not match"
    )
    # With a secret set, allow_unsigned does not let an unsigned request through.
    assert verify(SecretStr("s"), None, body, allow_unsigned=True) == "missing signature"
    assert verify(None, None, body, allow_unsigned=True) is None
    assert verify(SecretStr("s"), good.upper(), body, allow_unsigned=False) is not None
