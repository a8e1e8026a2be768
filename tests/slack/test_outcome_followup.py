"""The outcome follow-up over signed HTTP, with the clock moved forward: done, asked on the
day, each answer stored once, "Not yet" asks again, and the digest counts the answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.scheduler.jobs import outcome_pass, send_digests
from bot.slack.outcome_views import OUTCOME_VIEW
from bot.store import comment_ledger
from bot.store.models import OutcomeAnswer, OutcomeReview
from tests.factories import make_item
from tests.slack.conftest import PO, STRANGER, Harness
from tests.slack.fake_tracker import FakeTracker
from tests.slack.test_slack_intake import last_view, meta_of

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
TARGET_TEXT = (
    "Refund requests pile up in support. Outcome: cut refund tickets by 30% within a quarter."
)
OUTPUT_TEXT = "Card payments fail for returning customers because the saved card token expires."


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=True):
        yield


def dms(harness: Harness, user: str) -> list[dict[str, Any]]:
    return [
        c for c in harness.slack.to("chat.postMessage") if c["channel"] == user and c.get("blocks")
    ]


def review(harness: Harness, key: str) -> OutcomeReview:
    with harness.ctx.store.session() as session:
        row = session.scalar(select(OutcomeReview).where(OutcomeReview.key == key))
    assert row is not None
    return row


def answers(harness: Harness) -> list[OutcomeAnswer]:
    with harness.ctx.store.session() as session:
        return list(session.scalars(select(OutcomeAnswer).order_by(OutcomeAnswer.id)))


def click(harness: Harness, answer: str, row: OutcomeReview, user: str, views: int) -> Any:
    reply = harness.send.action(f"refinery_outcome_{answer}", str(row.id), user, name=user)
    assert reply.status == 200
    return last_view(harness, views)


def test_follow_up_asks_on_the_day_stores_answers_once_and_asks_again(harness: Harness) -> None:
    store = harness.ctx.store
    shipped = make_item(key="PAY-7", title="Self-serve refunds", text=TARGET_TEXT, updated=T0)
    plain = make_item(key="PAY-8", title="Retry card tokens", text=OUTPUT_TEXT, updated=T0)
    with at(T0):
        store.upsert_items([shipped, plain])
        outcome_pass(harness.ctx)  # the follow-up starts: open items are not reviewed

    done_at = T0 + timedelta(days=1)
    with at(done_at):
        for item in (shipped, plain):
            item.status, item.status_category, item.updated = "Done", "done", done_at
        store.upsert_items([shipped, plain])
        assert "2 done items recorded" in outcome_pass(harness.ctx)
    row = review(harness, "PAY-7")
    assert row.status == "scheduled" and row.target is not None
    assert "cut refund tickets by 30%" in row.target
    assert row.due_at == done_at + timedelta(days=30)
    assert review(harness, "PAY-8").status == "output"  # it named no outcome

    with at(done_at + timedelta(days=29, hours=23)):
        outcome_pass(harness.ctx)
    assert dms(harness, PO) == []  # not yet the day

    with at(done_at + timedelta(days=30, hours=1)):
        assert "1 reviews asked" in outcome_pass(harness.ctx)
        question = harness.slack.wait_for(lambda: dms(harness, PO), "the outcome question")
        text = question[0]["blocks"][0]["text"]["text"]
        assert "PAY-7" in text and "cut refund tickets by 30%" in text
        assert "Shipped:* 2026-09-02" in text
        labels = [e["text"]["text"] for e in question[0]["blocks"][1]["elements"]]
        assert labels == ["Moved", "Not yet", "Did not move", "Can't tell"]
        outcome_pass(harness.ctx)  # a second pass the same day asks nothing more
        assert len(dms(harness, PO)) == 1

        row = review(harness, "PAY-7")
        # a stranger cannot answer: refused, no form, nothing stored
        reply = harness.send.action("refinery_outcome_moved", str(row.id), STRANGER, "stranger")
        assert reply.status == 200
        refusal = harness.slack.wait_for(lambda: harness.slack.to("respond:stranger"), "refusal")
        assert "Only the item's owner or a product owner" in refusal[0]["text"]
        assert harness.slack.to("views.open") == []

        view = click(harness, "not_yet", row, PO, 1)
        assert view["callback_id"] == OUTCOME_VIEW
        meta = meta_of(view)
        values = {"observed": "", "note": "Rolled out to 10% so far"}
        for _ in range(2):  # a double submit answers once
            assert harness.send.view(OUTCOME_VIEW, values, meta, PO).status == 200
        harness.slack.wait_for(
            lambda: [c for c in harness.slack.to("chat.postMessage") if "already" in c["text"]],
            "the second submit refused",
        )
        assert [a.answer for a in answers(harness)] == ["not_yet"]
        row = review(harness, "PAY-7")
        assert row.status == "scheduled"
        updated = harness.slack.wait_for(lambda: harness.slack.to("chat.update"), "card update")
        assert len(updated) == 1 and "ask again" in str(updated[0]["blocks"])

    asked_again = row.due_at
    assert asked_again is not None
    with at(asked_again + timedelta(hours=1)):
        outcome_pass(harness.ctx)
        second = harness.slack.wait_for(lambda: len(dms(harness, PO)) == 2 and dms(harness, PO))
        assert "asked again: 1 of 2" in second[1]["blocks"][0]["text"]["text"]
        row = review(harness, "PAY-7")
        view = click(harness, "moved", row, PO, 2)
        values = {"observed": "refund tickets -34%", "note": ""}
        assert harness.send.view(OUTCOME_VIEW, values, meta_of(view), PO).status == 200
        harness.slack.wait_for(lambda: len(answers(harness)) == 2, "the second answer")
        assert [(a.answer, a.observed) for a in answers(harness)] == [
            ("not_yet", ""),
            ("moved", "refund tickets -34%"),
        ]
        assert review(harness, "PAY-7").status == "reviewed"

        outbox = send_digests(harness.ctx, dry_run=True)
    digest = outbox.messages[0]
    assert "outcomes reviewed: 1, moved: 1" in digest.text
    assert "outputs: 50% of 2 done items named no outcome" in digest.text
    assert any("outcomes reviewed: 1, moved: 1" in str(b) for b in digest.message["blocks"])
    # /refinery health shows the same counts
    reply = harness.send.command("health", user=PO, name="health-outcomes")
    assert reply.status == 200
    health = harness.slack.wait_for(lambda: harness.slack.to("respond:health-outcomes"), "health")
    assert "outcomes reviewed: 1, moved: 1" in str(health[0]["blocks"])


def test_not_yet_asks_again_at_most_twice(harness: Harness) -> None:
    store = harness.ctx.store
    item = make_item(
        key="PAY-9", title="Faster search", text="Search p95 under 200 ms.", updated=T0
    )
    with at(T0):
        store.upsert_items([item])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=1)):
        item.status_category, item.updated = "done", T0 + timedelta(days=1)
        store.upsert_items([item])
        outcome_pass(harness.ctx)
    when = T0 + timedelta(days=31, hours=1)
    for ask in range(1, 4):
        with at(when):
            outcome_pass(harness.ctx)
            row = review(harness, "PAY-9")
            assert (row.status, row.asks) == ("asked", ask)
            view = click(harness, "not_yet", row, PO, ask)
            assert harness.send.view(OUTCOME_VIEW, {}, meta_of(view), PO).status == 200

            def answered(n: int = ask) -> bool:
                return len(answers(harness)) == n

            harness.slack.wait_for(answered, "the answer")
            row = review(harness, "PAY-9")
        when = (row.due_at or when) + timedelta(hours=1)
    assert (row.status, row.answer, row.asks) == ("reviewed", "not_yet", 3)
    with at(when + timedelta(days=30)):
        outcome_pass(harness.ctx)
    assert review(harness, "PAY-9").asks == 3  # never asked a fourth time


def test_items_done_before_the_follow_up_started_are_not_asked(harness: Harness) -> None:
    old = make_item(
        key="PAY-10",
        text=TARGET_TEXT,
        status_category="done",
        updated=T0 - timedelta(days=40),
    )
    with at(T0):
        harness.ctx.store.upsert_items([old])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=60)):
        outcome_pass(harness.ctx)
    assert review(harness, "PAY-10").status == "baseline"
    assert dms(harness, PO) == []


class CommentingTracker(FakeTracker):
    """Records Refinery's comment writes (what outcomes.comment adds)."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.comments: dict[str, list[str]] = {}

    def find_own_comment(self, key: str) -> str | None:
        return None

    def add_comment(self, key: str, body: Any) -> str:
        self.comments.setdefault(key, []).append(str(body))
        return f"c-{len(self.comments[key])}"

    def edit_comment(self, key: str, comment_id: str, body: Any) -> None:
        self.comments.setdefault(key, []).append(str(body))


def test_outcomes_comment_adds_the_answer_to_the_ticket(harness: Harness) -> None:
    harness.ctx.settings.outcomes.comment = True
    tracker = CommentingTracker("jira")
    harness.ctx._trackers["jira"] = tracker
    item = make_item(key="PAY-11", title="Self-serve refunds", text=TARGET_TEXT, updated=T0)
    with at(T0):
        harness.ctx.store.upsert_items([item])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=1)):
        item.status_category, item.updated = "done", T0 + timedelta(days=1)
        harness.ctx.store.upsert_items([item])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=31, hours=1)):
        outcome_pass(harness.ctx)
        view = click(harness, "moved", review(harness, "PAY-11"), PO, 1)
        values = {"observed": "refund tickets -34%", "note": "measured over 4 weeks"}
        assert harness.send.view(OUTCOME_VIEW, values, meta_of(view), PO).status == 200
        written = harness.slack.wait_for(lambda: tracker.comments.get("PAY-11"), "the comment")
    body = written[0]
    assert "Outcome check on 2026-10-02: Moved." in body
    assert "cut refund tickets by 30%" in body and "refund tickets -34%" in body
    assert "<!-- refinery:comment -->" in body

    def saved() -> comment_ledger.LedgerRow | None:
        row = comment_ledger.rows(harness.ctx.store, "jira", ["PAY-11"]).get("PAY-11")
        return row if row is not None and row.state == "ready" else None

    ledger = harness.slack.wait_for(saved, "the ledger row")
    assert ledger.comment_id == "c-1" and len(written) == 1


def test_a_replica_that_recorded_some_items_first_leaves_one_row_each(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services.outcomes import Outcomes
    from bot.store.outcomes import Review, Reviews

    store = harness.ctx.store
    items = [make_item(key=f"PAY-{n}", text=TARGET_TEXT, updated=T0) for n in range(30, 34)]
    service = Outcomes(store, harness.ctx.engine, harness.ctx.settings)
    service.record_done(T0)
    for item in items:
        item.status_category, item.updated = "done", T0 + timedelta(hours=1)
    store.upsert_items(items)
    other = Outcomes(store, harness.ctx.engine, harness.ctx.settings)
    make_row = service._new_row

    def raced(item: Any, started: datetime, now: datetime) -> Review:
        if item.key == "PAY-32":  # the other replica writes this one after our query
            assert Reviews(store).add([other._new_row(item, started, now)])
        return make_row(item, started, now)

    monkeypatch.setattr(service, "_new_row", raced)
    assert service.record_done(T0 + timedelta(hours=2)).recorded == 3
    with store.session() as session:
        keys = sorted(session.scalars(select(OutcomeReview.key)))
    assert keys == ["PAY-30", "PAY-31", "PAY-32", "PAY-33"]


def test_a_review_with_nobody_to_ask_waits_until_a_po_is_configured(harness: Harness) -> None:
    settings = harness.ctx.settings
    settings.slack.po_users = []  # no PO, and the reporter has no Slack id
    item = make_item(key="PAY-40", text=TARGET_TEXT, updated=T0)
    with at(T0):
        harness.ctx.store.upsert_items([item])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=1)):
        item.status_category, item.updated = "done", T0 + timedelta(days=1)
        harness.ctx.store.upsert_items([item])
        outcome_pass(harness.ctx)
    with at(T0 + timedelta(days=32)):
        outcome_pass(harness.ctx)
        assert review(harness, "PAY-40").status == "no_owner"
        settings.slack.po_users = [PO]
        outcome_pass(harness.ctx)
        row = review(harness, "PAY-40")
        assert (row.status, row.owner, row.asks) == ("asked", PO, 1)
        harness.slack.wait_for(lambda: dms(harness, PO), "the question, now that a PO exists")
