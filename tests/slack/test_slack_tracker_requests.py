"""Requests that come from the trackers: items with the triage label join the same queue."""

from __future__ import annotations

from bot.scheduler.jobs import announce_requests
from bot.slack.modals import ACCEPT_VIEW, DECLINE_VIEW
from bot.slack.poster import SlackPoster
from bot.store.models import RequestRow
from bot.store.requests import Request
from connectors.item import Person
from tests.factories import make_item
from tests.slack.conftest import PO, Harness
from tests.slack.test_slack_commands import answer, flat


def stock_triage(harness: Harness) -> None:
    harness.ctx.settings.slack.people = {"acc-9": "USTAKE"}
    harness.ctx.store.upsert_items(
        [
            make_item(
                key="PAY-5",
                title="Refunds over 1000 EUR need approval",
                labels=("Triage",),
                url="https://example.atlassian.net/browse/PAY-5",
                reporter=Person(id="acc-9", name="Sam Stakeholder"),
            ),
            make_item(key="PAY-6", labels=("triage",), status_category="done"),
            make_item(key="PAY-8", labels=("other",)),
            make_item(
                source="github",
                key="acme/shop#12",
                project="acme/shop",
                title="Dark mode",
                labels=("needs-triage",),
                url="https://github.com/acme/shop/issues/12",
            ),
        ]
    )


def queue_from_trackers(harness: Harness) -> str:
    """What every scheduled sync does after storing its pages (unpaced, for the test)."""
    return announce_requests(harness.ctx, SlackPoster(harness.ctx.slack, interval=0))


def origin_request(harness: Harness, key: str) -> Request:
    return next(r for r in harness.runtime.intake.requests() if r.origin_key == key)


def test_queue_only_lists_and_the_import_posts_each_labelled_item_once(
    harness: Harness,
) -> None:
    stock_triage(harness)
    # /refinery queue reads: it neither queues the labelled items nor posts their cards.
    assert "The intake queue is empty" in flat(answer(harness, "queue", user=PO))
    assert harness.count(RequestRow) == 0
    assert not [c for c in harness.slack.to("chat.postMessage") if c["channel"] == "CINTAKE"]
    queue_from_trackers(harness)
    queue_from_trackers(harness)
    text = flat(answer(harness, "queue", user=PO))
    assert "*2 pending request(s)*" in text
    assert "Refunds over 1000 EUR" in text and "Dark mode" in text
    again = flat(answer(harness, "queue", user=PO))
    assert "*2 pending request(s)*" in again
    assert harness.count(RequestRow) == 2
    cards = [c for c in harness.slack.to("chat.postMessage") if c["channel"] == "CINTAKE"]
    assert len(cards) == 2
    jira = origin_request(harness, "PAY-5")
    assert (jira.origin, jira.requester, jira.card_channel) == ("jira", "USTAKE", "CINTAKE")
    assert origin_request(harness, "acme/shop#12").origin == "github"


def test_importing_twice_at_once_keeps_one_row_per_item(harness: Harness) -> None:
    stock_triage(harness)
    intake = harness.runtime.intake
    first, second = intake.import_triage(), intake.import_triage()
    assert len(first) == 2 and second == []
    assert harness.count(RequestRow) == 2


def test_accepting_a_tracker_request_removes_the_label(harness: Harness) -> None:
    stock_triage(harness)
    queue_from_trackers(harness)
    row = origin_request(harness, "PAY-5")
    harness.send.view(ACCEPT_VIEW, {}, {"request": row.id, "version": row.version}, PO)
    harness.slack.wait_for(lambda: harness.jira.removed_labels, "the label removal")
    assert harness.jira.removed_labels == [("PAY-5", "triage")]
    assert harness.jira.drafts == []
    accepted = harness.slack.wait_for(
        lambda: (
            origin_request(harness, "PAY-5").status == "accepted"
            and origin_request(harness, "PAY-5")
        ),
        "accepted",
    )
    assert accepted.ticket_key == "PAY-5"
    told = harness.slack.wait_for(
        lambda: [m for m in harness.slack.to("chat.postMessage") if m["channel"] == "USTAKE"],
        "the stakeholder's news",
    )
    assert "browse/PAY-5|PAY-5" in told[0]["text"]


def test_declining_a_tracker_request_closes_it_with_the_reason(harness: Harness) -> None:
    stock_triage(harness)
    queue_from_trackers(harness)
    row = origin_request(harness, "acme/shop#12")
    reason = "Not in this year's plan; the design system comes first."
    harness.send.view(DECLINE_VIEW, {"reason": reason}, {"request": row.id, "version": 0}, PO)
    harness.slack.wait_for(lambda: harness.github.closed, "the close")
    assert harness.github.closed == [("acme/shop#12", reason)]
    harness.slack.wait_for(
        lambda: origin_request(harness, "acme/shop#12").status == "declined", "declined"
    )


def test_reporters_are_found_by_email_and_cached(harness: Harness) -> None:
    from bot.slack.people import People

    people = People(harness.ctx.store, {"acc-1": "UMAPPED"}, lambda: harness.ctx.slack)
    assert people.slack_id(Person(id="acc-1", email="dana@example.com")) == "UMAPPED"
    assert people.slack_id(Person(id="acc-2", email="Dana@example.com")) == "UDANA"
    assert people.slack_id(Person(id="acc-2", email="dana@example.com")) == "UDANA"
    assert people.slack_id(Person(id="acc-3", email="nobody@example.com")) == ""
    assert people.slack_id(Person(id="acc-3", email="nobody@example.com")) == ""
    assert people.slack_id(Person(id="acc-4")) == ""
    assert people.slack_id(None) == ""
    lookups = [c["email"] for c in harness.slack.to("users.lookupByEmail")]
    assert lookups == ["Dana@example.com", "nobody@example.com"]


def test_imported_request_names_the_reporter_found_by_email(harness: Harness) -> None:
    harness.ctx.store.upsert_items(
        [
            make_item(
                key="PAY-77",
                labels=("triage",),
                reporter=Person(id="acc-77", name="Lee", email="lee@example.com"),
            )
        ]
    )
    queue_from_trackers(harness)
    assert origin_request(harness, "PAY-77").requester == "ULEE"
