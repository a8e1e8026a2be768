"""Tracker requests by status: Jira items in the triage status join the queue; Accept moves
them on through a real transition; every scheduled sync imports them and posts their cards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import responses

import bot.services.sync
from bot.config import JiraConfig
from bot.context import AppContext
from bot.scheduler.jobs import job_specs, sync_all
from bot.services.intake import Destination, Intake, TrackerFailed
from bot.services.tracker_requests import make_intake
from bot.slack.modals import ACCEPT_VIEW
from bot.slack.poster import SlackPoster
from bot.store import Store
from bot.store.models import RequestRow
from bot.store.requests import Request
from connectors.base import ConnectorError, Page, SyncPlan
from connectors.github import GithubTracker
from connectors.item import Item
from connectors.jira import JiraClient, JiraTracker
from tests.factories import make_item
from tests.fakes.slack import FakeSlack
from tests.slack.conftest import PO, Harness, make_settings
from tests.slack.fake_tracker import FakeTracker
from tests.slack.test_slack_commands import answer, flat
from tests.slack.test_slack_tracker_requests import queue_from_trackers

SITE = "https://example.atlassian.net"
BASE = f"{SITE}/rest/api/3/issue/PAY-10"
FIRE = datetime(2026, 11, 26, 16, 15, tzinfo=UTC)
ANY = Destination("jira", "PAY", "Story")  # ignored for tracker requests
# GET /rest/api/3/issue/{key}/transitions, as Cloud answers it (trimmed to what is read).
TRANSITIONS = {
    "expand": "transitions",
    "transitions": [
        {
            "id": "21",
            "name": "Back to triage",
            "to": {"name": "Triage", "id": "10100", "statusCategory": {"key": "new"}},
        },
        {
            "id": "31",
            "name": "Ready for refinement",
            "to": {"name": "Backlog", "id": "10001", "statusCategory": {"key": "new"}},
        },
        {
            "id": "41",
            "name": "Start",
            "to": {"name": "In Progress", "id": "3", "statusCategory": {"key": "indeterminate"}},
        },
        {
            "id": "51",
            "name": "Won't do",
            "to": {"name": "Won't Do", "id": "10002", "statusCategory": {"key": "done"}},
        },
    ],
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def jira_tracker(dry_run: bool = False) -> JiraTracker:
    cfg = JiraConfig(url=SITE, email="po@example.com", api_token="s3cret-token")
    return JiraTracker(JiraClient(cfg), dry_run=dry_run)


def intake_for(store: Store, tracker: Any, accepted: str = "") -> Intake:
    return Intake(
        store,
        lambda source: tracker,
        {"jira": "triage"},
        triage_statuses={"jira": "Triage"},
        accepted_statuses={"jira": accepted},
    )


def stock(store: Store) -> None:
    store.upsert_items(
        [
            make_item(key="PAY-10", title="Bulk refunds", status="Triage"),
            make_item(key="PAY-11", status="In Progress", status_category="in_progress"),
            make_item(key="PAY-12", status="triage", labels=("Triage",)),  # both ways
            make_item(key="PAY-13", labels=("triage",)),  # by label only
            make_item(key="PAY-14", title="Triage the triage", status="To Do"),  # only mentions
        ]
    )


def request_for(intake: Intake, key: str) -> Request:
    return next(row for row in intake.requests() if row.origin_key == key)


def posts(rsps: responses.RequestsMock) -> list[Any]:
    return [call.request for call in rsps.calls if call.request.method != "GET"]


def test_items_in_the_triage_status_are_imported_once(store: Store) -> None:
    stock(store)
    intake = intake_for(store, FakeTracker("jira"))
    first = intake.import_triage()
    assert sorted(row.origin_key or "" for row in first) == ["PAY-10", "PAY-12", "PAY-13"]
    assert intake.import_triage() == []
    assert len(intake.requests()) == 3
    assert request_for(intake, "PAY-10").extra["triage_status"] == "Triage"
    assert "triage_label" not in request_for(intake, "PAY-10").extra
    both = request_for(intake, "PAY-12").extra
    assert (both["triage_status"], both["triage_label"]) == ("triage", "triage")
    assert "triage_status" not in request_for(intake, "PAY-13").extra


def test_accept_transitions_to_the_accepted_status_through_jira(
    store: Store, rsps: responses.RequestsMock
) -> None:
    stock(store)
    intake = intake_for(store, jira_tracker(), accepted="backlog")
    intake.import_triage()
    rsps.add("GET", f"{BASE}/transitions", json=TRANSITIONS)
    rsps.add("POST", f"{BASE}/transitions", status=204)
    row = request_for(intake, "PAY-10")
    decided = intake.accept(row.id, row.version, PO, ANY)
    assert (decided.request.status, decided.request.ticket_key) == ("accepted", "PAY-10")
    writes = posts(rsps)
    assert [(w.method, w.url) for w in writes] == [("POST", f"{BASE}/transitions")]
    assert json.loads(writes[0].body) == {"transition": {"id": "31"}}  # no label removed


def test_accept_without_a_status_name_picks_the_first_to_do_transition_but_triage(
    store: Store, rsps: responses.RequestsMock
) -> None:
    stock(store)
    intake = intake_for(store, jira_tracker())
    intake.import_triage()
    rsps.add("GET", f"{BASE}/transitions", json=TRANSITIONS)
    rsps.add("POST", f"{BASE}/transitions", status=204)
    row = request_for(intake, "PAY-10")
    intake.accept(row.id, row.version, PO, ANY)
    assert json.loads(posts(rsps)[0].body) == {"transition": {"id": "31"}}


def test_accept_in_a_dry_run_writes_nothing(store: Store, rsps: responses.RequestsMock) -> None:
    stock(store)
    intake = intake_for(store, jira_tracker(dry_run=True), accepted="Backlog")
    intake.import_triage()
    rsps.add("GET", f"{BASE}/transitions", json=TRANSITIONS)
    row = request_for(intake, "PAY-10")
    assert intake.accept(row.id, row.version, PO, ANY).request.status == "accepted"
    assert posts(rsps) == []
    assert [call.request.method for call in rsps.calls] == ["GET"]


def test_accept_with_no_such_transition_leaves_the_request_pending(
    store: Store, rsps: responses.RequestsMock
) -> None:
    stock(store)
    intake = intake_for(store, jira_tracker(), accepted="Ready for dev")
    intake.import_triage()
    rsps.add("GET", f"{BASE}/transitions", json=TRANSITIONS)
    row = request_for(intake, "PAY-10")
    with pytest.raises(TrackerFailed) as failed:
        intake.accept(row.id, row.version, PO, ANY)
    assert "no transition to 'Ready for dev'" in str(failed.value)
    assert request_for(intake, "PAY-10").status == "pending"
    assert posts(rsps) == []


def test_accept_of_an_item_found_both_ways_drops_the_label_and_transitions(store: Store) -> None:
    stock(store)
    tracker = FakeTracker("jira")
    intake = intake_for(store, tracker, accepted="Backlog")
    intake.import_triage()
    for key in ("PAY-12", "PAY-13"):
        row = request_for(intake, key)
        intake.accept(row.id, row.version, PO, ANY)
    assert tracker.removed_labels == [("PAY-12", "triage"), ("PAY-13", "triage")]
    assert tracker.transitions == [("PAY-12", "Backlog", "triage")]  # the label-only one stays


def test_decline_of_a_status_request_comments_and_closes(
    store: Store, rsps: responses.RequestsMock
) -> None:
    stock(store)
    intake = intake_for(store, jira_tracker(), accepted="Backlog")
    intake.import_triage()
    rsps.add("GET", f"{BASE}/transitions", json=TRANSITIONS)
    rsps.add("POST", f"{BASE}/comment", json={"id": "5"}, status=201)
    rsps.add("POST", f"{BASE}/transitions", status=204)
    row = request_for(intake, "PAY-10")
    intake.decline(row.id, row.version, PO, "Covered by the refunds epic.")
    writes = posts(rsps)
    assert [w.url for w in writes] == [f"{BASE}/comment", f"{BASE}/transitions"]
    assert "Covered by the refunds epic." in json.dumps(json.loads(writes[0].body))
    assert json.loads(writes[1].body) == {"transition": {"id": "51"}}
    assert request_for(intake, "PAY-10").status == "declined"


def test_github_has_no_statuses_to_transition_to() -> None:
    tracker = GithubTracker.__new__(GithubTracker)  # no client: it must not be called
    with pytest.raises(ConnectorError, match="triage label"):
        tracker.transition("acme/shop#12", "Backlog")


class ListStream:
    """A Jira stream serving whatever `items` holds now, in one page."""

    name, source = "jira:https://example.atlassian.net", "jira"

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def plan(self, cursor: str | None) -> SyncPlan:
        return SyncPlan(total=len(self.items))

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        yield Page(list(self.items), cursor="2026-11-26T16:00:00Z")

    def live_keys(self) -> set[str] | None:
        return None


def scheduled_ctx(tmp_path: Path, slack: FakeSlack, **slack_overrides: object) -> AppContext:
    settings = make_settings(tmp_path, slack, **slack_overrides)
    settings.jira.triage_status = "Triage"
    return AppContext.build(settings)


def test_each_scheduled_sync_posts_one_card_per_new_request(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = scheduled_ctx(tmp_path, fake_slack)
    stream = ListStream(
        [
            make_item(key="PAY-10", title="Bulk refunds", status="Triage"),
            make_item(key="PAY-13", title="Refund e-mails", labels=("triage",)),
            make_item(key="PAY-14", status="To Do"),
        ]
    )
    monkeypatch.setattr(bot.services.sync, "streams_for", lambda *args: [stream])
    line = sync_all(ctx, SlackPoster(ctx.slack, interval=0))
    assert "requests: 2 new, 2 card(s) posted" in line
    cards = fake_slack.to("chat.postMessage")
    assert sorted(card["text"].split(": ", 1)[1] for card in cards) == [
        "Bulk refunds",
        "Refund e-mails",
    ]
    assert {card["channel"] for card in cards} == {"CINTAKE"}
    assert all(card["blocks"][2]["type"] == "actions" for card in cards)  # the triage buttons
    with ctx.store.session() as session:
        rows = session.query(RequestRow).all()
        assert {(row.origin_key, row.card_channel) for row in rows} == {
            ("PAY-10", "CINTAKE"),
            ("PAY-13", "CINTAKE"),
        }
        assert all(row.card_ts for row in rows)

    run = {spec.name: spec for spec in job_specs(ctx)}["sync"].func  # the scheduled job itself
    assert "requests: none new" in str(run(FIRE))
    assert len(fake_slack.to("chat.postMessage")) == 2
    stream.items.append(make_item(key="PAY-15", title="Partial refunds", status="TRIAGE"))
    assert "requests: 1 new, 1 card(s) posted" in str(run(FIRE))
    assert fake_slack.to("chat.postMessage")[-1]["text"].endswith("Partial refunds")
    assert len(fake_slack.to("chat.postMessage")) == 3
    ctx.close()


@pytest.mark.parametrize("missing", [{"intake_channel": ""}, {"bot_token": None}])
def test_without_an_intake_channel_and_token_the_sync_imports_nothing(
    tmp_path: Path,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    missing: dict[str, object],
) -> None:
    ctx = scheduled_ctx(tmp_path, fake_slack, **missing)
    stream = ListStream([make_item(key="PAY-10", status="Triage")])
    monkeypatch.setattr(bot.services.sync, "streams_for", lambda *args: [stream])
    assert "requests: no intake channel" in sync_all(ctx, SlackPoster(ctx.slack, interval=0))
    assert fake_slack.to("chat.postMessage") == []
    with ctx.store.session() as session:
        assert session.query(RequestRow).count() == 0
    ctx.close()


def test_a_po_accepts_a_status_request_from_slack(harness: Harness) -> None:
    harness.ctx.settings.jira.triage_status = "Triage"
    harness.ctx.settings.jira.accepted_status = "Backlog"
    ctx = harness.ctx
    # What Runtime.build does at start (with the product owners the harness configures).
    harness.runtime.intake = make_intake(
        ctx.store, ctx.settings, ctx.tracker, harness.runtime.intake.owners
    )
    ctx.store.upsert_items([make_item(key="PAY-10", title="Bulk refunds", status="Triage")])
    assert "1 new, 1 card(s) posted" in queue_from_trackers(harness)
    assert "*1 pending request(s)*" in flat(answer(harness, "queue", user=PO))
    row = request_for(harness.runtime.intake, "PAY-10")
    assert row.card_channel == "CINTAKE"
    harness.send.view(ACCEPT_VIEW, {}, {"request": row.id, "version": row.version}, PO)
    harness.slack.wait_for(lambda: harness.jira.transitions, "the transition")
    assert harness.jira.transitions == [("PAY-10", "Backlog", "Triage")]
    assert harness.jira.removed_labels == [] and harness.jira.drafts == []
    harness.slack.wait_for(
        lambda: request_for(harness.runtime.intake, "PAY-10").status == "accepted", "accepted"
    )
