"""`/refinery` over signed HTTP: help, typos, health, check, ready, request and queue."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.health import Answers
from bot.services.owners import ProductOwners
from bot.slack.commands import parse
from connectors.item import Item
from rules.engine import Finding
from tests.factories import make_item
from tests.slack.conftest import PO, STRANGER, Harness


class EstimateOnly:
    """An engine with one rule, so these tests do not depend on the builtin rule set."""

    needs_backlog = False

    def evaluate(self, item: Item, backlog: object = None) -> list[Finding]:
        if item.estimate is None:
            return [Finding("missing-estimate", "warning", "No estimate", "Add story points")]
        return []

    def assess(self, item: Item, backlog: object = None) -> tuple[list[Finding], list[object]]:
        return self.evaluate(item), []  # no verdicts: the answer lists only what to fix


@pytest.fixture
def stocked(harness: Harness) -> Harness:
    # Reports with a one-rule engine (the server uses the configured rules;
    # test_reports_from_stored_verdicts_with_the_configured_rules covers that path).
    harness.runtime.answers = Answers(harness.ctx.store, EstimateOnly())  # type: ignore[arg-type]
    harness.ctx.store.upsert_items(
        [
            make_item(key="PAY-1", title="Ready one", rank="0|a"),
            make_item(
                key="PAY-2",
                title="Unestimated top",
                estimate=None,
                rank="0|b",
                url="https://example.atlassian.net/browse/PAY-2",
            ),
            make_item(key="PAY-3", title="Unestimated lower", estimate=None, rank="0|c"),
            make_item(key="OPS-1", project="OPS", title="Ops ready", rank="0|d"),
            make_item(key="PAY-4", title="Done one", estimate=None, status_category="done"),
        ]
    )
    return harness


def answer(harness: Harness, text: str, user: str = "W111") -> dict[str, Any]:
    """Send the command; return what arrived at its response URL."""
    name = f"cmd-{len(harness.slack.calls)}"
    reply = harness.send.command(text, user=user, name=name)
    assert reply.status == 200
    found = harness.slack.wait_for(lambda: harness.slack.to("respond:" + name), f"answer to {text}")
    assert len(found) == 1
    message: dict[str, Any] = found[0]
    assert message["response_type"] == "ephemeral"
    return message


def flat(message: dict[str, Any]) -> str:
    return "\n".join(
        str(block.get("text", {}).get("text", "")) + str(block.get("elements", ""))
        for block in message["blocks"]
    )


@pytest.mark.parametrize(
    ("text", "name", "args", "suggestion"),
    [
        ("", "help", [], ""),
        ("  HEALTH  PAY ", "health", ["PAY"], ""),
        ("check PAY-12", "check", ["PAY-12"], ""),
        ("helth", "help", [], "health"),
        ("raedy 3", "help", [], "ready"),
        ("frobnicate", "help", [], ""),
    ],
)
def test_parse(text: str, name: str, args: list[str], suggestion: str) -> None:
    parsed = parse(text)
    assert (parsed.name, parsed.args, parsed.suggestion) == (name, args, suggestion)


def test_parse_request_keeps_the_title_as_typed() -> None:
    assert parse("request Export  invoices as CSV").rest == "Export  invoices as CSV"


def test_help_lists_every_subcommand(harness: Harness) -> None:
    text = flat(answer(harness, "help"))
    for sub in ("health", "check KEY", "ready [N]", "request", "queue"):
        assert f"/refinery {sub}" in text


def test_typo_gets_help_with_a_suggestion(harness: Harness) -> None:
    text = flat(answer(harness, "helth PAY"))
    assert "I don't know `helth`" in text
    assert "Did you mean `/refinery health`?" in text
    assert "/refinery check KEY" in text


def test_health_counts_open_items_only(stocked: Harness) -> None:
    text = flat(answer(stocked, "health"))
    assert "*50% ready* — 2 of 4 open items" in text
    assert "`missing-estimate`: 2" in text
    assert "PAY-2" in text and "PAY-4" not in text


def test_health_of_one_project(stocked: Harness) -> None:
    text = flat(answer(stocked, "health OPS"))
    assert "*100% ready* — 1 of 1 open items of OPS" in text


def test_health_of_an_unknown_project(stocked: Harness) -> None:
    assert "No open items of NOPE" in flat(answer(stocked, "health NOPE"))


def test_check_shows_findings_hint_and_link(stocked: Harness) -> None:
    text = flat(answer(stocked, "check pay-2"))
    assert "<https://example.atlassian.net/browse/PAY-2|PAY-2>" in text
    assert "No estimate" in text and "Add story points" in text


def test_check_ready_and_unknown_items(stocked: Harness) -> None:
    assert "Ready: nothing to fix" in flat(answer(stocked, "check PAY-1"))
    assert "No item `PAY-999` in the store" in flat(answer(stocked, "check PAY-999"))


def test_ready_lists_top_unready_by_rank(stocked: Harness) -> None:
    text = flat(answer(stocked, "ready 1"))
    assert "Top 1 items that are not ready* (of 2)" in text
    assert "PAY-2" in text and "PAY-3" not in text


def test_report_is_reused_until_the_store_changes(stocked: Harness) -> None:
    answers = stocked.runtime.answers
    first = answers.health()
    assert answers.health() is first
    stocked.ctx.store.upsert_items([make_item(key="PAY-9", estimate=None)])
    assert answers.health() is not first
    assert answers.health().items == 5


def test_reports_from_stored_verdicts_with_the_configured_rules(harness: Harness) -> None:
    """The server's path: the configured rules, judged once, then read from the store."""
    answers = harness.runtime.answers
    harness.ctx.store.upsert_items(
        [make_item(key="PAY-1"), make_item(key="PAY-2", estimate=None, rank="0|a")]
    )
    health = answers.health()
    assert (health.items, health.ready, health.unready) == (2, 1, 1)
    assert health.per_rule["missing-estimate"] == 1
    assert [r.key for r in health.top] == ["PAY-2"]
    assert health.pending == 0 and answers.judge.stale() == 0  # judged and stored
    assert answers.health() is health
    opened = harness.ctx.store.open_findings()
    assert [row.rule for row in opened["jira:PAY-2"]] == ["missing-estimate"]
    answers.close()


def test_request_opens_the_intake_form_with_the_title(harness: Harness) -> None:
    assert harness.send.command("request Export invoices as CSV").status == 200
    opened = harness.slack.wait_for(lambda: harness.slack.to("views.open"), "views.open")
    view = opened[0]["view"]
    assert opened[0]["trigger_id"] == "111.111.xxx"
    assert view["callback_id"] == "refinery_intake"
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Export invoices as CSV"
    why = next(b for b in view["blocks"] if b["block_id"] == "why")
    assert why["optional"] is False


def test_queue_is_for_product_owners(harness: Harness) -> None:
    assert "Only product owners" in flat(answer(harness, "queue", user=STRANGER))
    assert "The intake queue is empty" in flat(answer(harness, "queue", user=PO))


def test_po_usergroup_members_are_product_owners(harness: Harness) -> None:
    harness.runtime.po.usergroup = "S123"
    owners = harness.runtime.intake.owners
    assert isinstance(owners, ProductOwners)
    owners.usergroup = "S123"  # the intake service's authoriser decides (as from [slack])
    harness.slack.usergroup_members = ["UGROUP"]
    assert "The intake queue is empty" in flat(answer(harness, "queue", user="UGROUP"))
    assert "Only product owners" in flat(answer(harness, "queue", user=STRANGER))
    assert harness.slack.to("usergroups.users.list") == [{"usergroup": "S123"}]  # cached


def test_app_mention_answers_once_even_when_slack_retries(harness: Harness) -> None:
    import json

    from tests.slack.signed import fixture

    event = json.loads(fixture("event_app_mention.json"))
    assert harness.send.event(event).status == 200
    (reply,) = harness.slack.wait_for(
        lambda: harness.slack.to("chat.postMessage"), "the help reply"
    )
    mention = event["event"]
    assert (reply["channel"], reply["thread_ts"]) == (mention["channel"], mention["ts"])
    assert "what" not in reply  # the poster's log label stays here
    retried = harness.send.event(event, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "x"})
    assert retried.status == 200
    harness.send.command("help", name="after")  # a later request, to let a retry reply land
    harness.slack.wait_for(lambda: harness.slack.to("respond:after"), "the help answer")
    assert len(harness.slack.to("chat.postMessage")) == 1
