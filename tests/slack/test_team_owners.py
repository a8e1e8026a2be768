"""Per-team product owners: a team's POs decide their projects' requests, global POs decide
all, and the check lives in the intake service (so Slack and any other caller go through it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import Settings
from bot.services.intake import Destination, Intake, NotAllowed, RequestInput
from bot.services.owners import ProductOwners
from bot.slack import blocks
from bot.slack.modals import ACCEPT_VIEW
from bot.store import Store
from tests.factories import make_item
from tests.slack.conftest import Harness
from tests.slack.fake_tracker import FakeTracker
from tests.slack.test_slack_intake import last_view, meta_of, submit_request

SETTINGS = Settings(
    slack={"po_users": ["UPO"]},
    teams=[
        {"name": "payments", "projects": ["PAY"], "po_users": ["UPAY"]},
        {"name": "growth", "projects": ["GRO"], "repos": ["acme/Site"], "po_usergroup": "SGRO"},
    ],
)


@pytest.fixture
def intake(store: Store, tracker: FakeTracker) -> Intake:
    owners = ProductOwners.from_settings(
        SETTINGS, lambda group: frozenset({"UGRO"}) if group == "SGRO" else frozenset()
    )
    return Intake(store, lambda source: tracker, {"jira": "triage"}, owners=owners)


def new(intake: Intake) -> int:
    return intake.submit(RequestInput("CSV export", "Finance re-types invoices", "UREQ")).id


def test_a_team_po_accepts_into_their_own_project_only(
    intake: Intake, tracker: FakeTracker
) -> None:
    first = new(intake)
    with pytest.raises(NotAllowed):
        intake.accept(first, 0, "UPAY", Destination("jira", "GRO", "Story"))
    waiting = intake.get(first)
    assert tracker.drafts == [] and waiting is not None and waiting.status == "pending"
    decided = intake.accept(first, 0, "UPAY", Destination("jira", "PAY", "Story"))
    assert decided.request.status == "accepted" and decided.decision.actor == "UPAY"


def test_a_team_usergroup_member_decides_that_teams_repos(intake: Intake) -> None:
    request_id = new(intake)
    decided = intake.accept(request_id, 0, "UGRO", Destination("github", "acme/site", ""))
    assert decided.request.status == "accepted"


def test_global_pos_decide_everything_and_strangers_nothing(intake: Intake) -> None:
    first, second = new(intake), new(intake)
    with pytest.raises(NotAllowed):
        intake.decline(first, 0, "USTRANGER", "not now")
    assert intake.decline(first, 0, "UPO", "not now").request.status == "declined"
    assert intake.accept(second, 0, "UPO", Destination("jira", "GRO", "Story")).request.status
    assert intake.may_see_queue("UPAY") and intake.may_see_queue("UGRO")
    assert not intake.may_see_queue("USTRANGER")


def test_a_tracker_request_is_decided_by_its_projects_team(
    intake: Intake, store: Store, tracker: FakeTracker
) -> None:
    store.upsert_items([make_item(key="PAY-12", project="PAY", labels=("triage",))])
    (row,) = intake.import_triage()
    with pytest.raises(NotAllowed):
        intake.decline(row.id, row.version, "UGRO", "belongs elsewhere")
    still = intake.get(row.id)
    assert still is not None and still.status == "pending"
    assert intake.decline(row.id, row.version, "UPAY", "not this quarter").request.status == (
        "declined"
    )


def test_a_teams_po_is_no_longer_refused_in_slack(harness: Harness) -> None:
    harness.runtime.intake.owners = ProductOwners.from_settings(
        Settings(
            slack={"po_users": []},
            teams=[{"name": "payments", "projects": ["PAY"], "po_users": ["UTEAMPO"]}],
        ),
        lambda _group: frozenset(),
    )
    request_id = submit_request(harness)
    assert harness.send.action(blocks.ACCEPT, str(request_id), "UTEAMPO").status == 200
    view = last_view(harness)
    assert view["callback_id"] == ACCEPT_VIEW
    values = {"destination": "jira:PAY", "issue_type": "Story"}
    assert harness.send.view(ACCEPT_VIEW, values, meta_of(view), "UTEAMPO").status == 200
    harness.slack.wait_for(
        lambda: harness.request(request_id).status == "accepted", "the team PO's accept"
    )
    assert [d.project for d in harness.jira.drafts] == ["PAY"]


def test_the_service_refuses_a_stranger_every_decision_without_slack(
    intake: Intake, store: Store, tracker: FakeTracker
) -> None:
    """No listener in between: the intake service itself refuses, before any claim or call."""
    from bot.services.intake import NOT_A_PO

    store.upsert_items([make_item(key="PAY-30", project="PAY", labels=("triage",))])
    (tracked,) = intake.import_triage()
    asked = new(intake)
    attempts: list[Callable[[], object]] = [
        lambda: intake.accept(asked, 0, "USTRANGER", Destination("jira", "PAY", "Story")),
        lambda: intake.accept(tracked.id, 0, "USTRANGER", Destination("jira", "PAY", "Story")),
        lambda: intake.decline(tracked.id, 0, "USTRANGER", "not now"),
        lambda: intake.need_info(asked, 0, "USTRANGER", "Which invoices?"),
        lambda: intake.duplicate(asked, 0, "USTRANGER", "PAY-30"),
        lambda: intake.decline(asked, 0, "", "no actor at all"),
        lambda: intake.decline(asked, 0, "USTRANGER", "  "),  # refused before the validation
        lambda: intake.need_info(asked, 0, "USTRANGER", ""),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert str(refused.value) == NOT_A_PO
    assert [(r.status, r.version) for r in intake.requests()] == [("pending", 0)] * 2
    assert intake.decisions() == []
    assert tracker.drafts == [] and tracker.removed_labels == [] and tracker.closed == []


def test_a_team_decision_belongs_to_that_teams_owners_else_the_global_ones() -> None:
    groups = {"SPAYPO": frozenset({"UGRP"})}
    settings = Settings(
        slack={"po_users": ["UGLOBAL"]},
        teams=[
            {"name": "pay", "projects": ["PAY"], "po_users": ["UPAY"]},
            {"name": "web", "projects": ["WEB"], "po_usergroup": "SPAYPO"},
            {"name": "ops", "projects": ["OPS"]},
        ],
    )
    owners = ProductOwners.from_settings(settings, lambda group: groups.get(group, frozenset()))
    assert owners.may_decide_for_team("UPAY", "pay")
    assert not owners.may_decide_for_team("UGLOBAL", "pay")  # the team names its own owners
    assert owners.may_decide_for_team("UGRP", "web") and not owners.may_decide_for_team(
        "UPAY", "web"
    )
    assert owners.may_decide_for_team("UGLOBAL", "ops")  # none of its own: the global owners
    assert not owners.may_decide_for_team("UPAY", "ops")
    assert owners.may_decide_for_team("UGLOBAL", "backlog")  # the implicit team
