"""Digest and reminder data: deltas, trend, stale items, intake, capacity, teams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.services.digest import (
    build_digest,
    build_reminder,
    last_human_update,
    save_snapshot,
    sparkline,
)
from bot.services.teams import IMPLICIT_TEAM, select_teams, teams
from bot.store import Store, open_store
from bot.store.comment_ledger import LedgerRow
from bot.store.models import RequestRow
from bot.store.snapshots import snapshots
from connectors.item import Person
from rules.engine import Engine
from tests.factories import make_item
from tests.scheduler.sched_helpers import load_backlog, now, settings

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Store:
    return open_store("sqlite://")


def test_sparkline_scales_between_min_and_max() -> None:
    assert sparkline([0, 50, 100]) == "▁▅█"
    assert sparkline([40.0, 40.0]) == "▄▄"
    assert sparkline([]) == ""
    assert len(sparkline([1, 2, 3, 4, 5, 6, 7, 8])) == 8


def test_no_teams_means_one_implicit_team_posting_to_the_digest_channel() -> None:
    config = Settings(slack={"digest_channel": "C0ALL"})
    (team,) = teams(config)
    assert team.name == IMPLICIT_TEAM and team.channel == "C0ALL"
    assert not team.projects and not team.repos
    with pytest.raises(ValueError, match="no team 'ops' \\(configured: backlog\\)"):
        select_teams(config, "ops")


def test_teams_see_only_their_projects_and_repos(store: Store) -> None:
    load_backlog(store, history=False)
    config = settings()
    payments, mobile = teams(config)
    pay = build_digest(store, Engine(), config, payments, now())
    mob = build_digest(store, Engine(), config, mobile, now())
    assert all(e.result.project == "PAY" for e in pay.top_unready)
    assert all(e.result.project == "acme/mobile-app" for e in mob.top_unready)
    everything = build_digest(store, Engine(), Settings(), teams(Settings())[0], now())
    assert everything.items == pay.items + mob.items == 39  # 45 items, 6 done


def test_delta_and_trend_come_from_stored_snapshots(store: Store) -> None:
    store.upsert_items([make_item(project="PAY") for _ in range(3)])
    store.upsert_items([make_item(project="PAY", estimate=None)])  # one unready
    config = Settings(teams=[{"name": "pay", "projects": ["PAY"]}], digest={"trend_points": 3})
    team = teams(config)[0]
    first = build_digest(store, Engine(), config, team, NOW)
    assert first.previous is None and first.trend == [75.0]
    assert first.decisions_since == NOW - timedelta(days=7)
    save_snapshot(store, first)
    store.upsert_items([make_item(project="PAY")])
    second = build_digest(store, Engine(), config, team, NOW + timedelta(days=7))
    assert second.previous is not None and second.previous.ready_pct == 75.0
    assert second.ready_pct == 80.0 and second.trend == [75.0, 80.0]
    assert second.decisions_since == NOW
    save_snapshot(store, second)
    save_snapshot(store, build_digest(store, Engine(), config, team, NOW + timedelta(days=14)))
    fourth = build_digest(store, Engine(), config, team, NOW + timedelta(days=21))
    assert len(fourth.trend) == 3  # trend_points caps the history
    assert [s.taken_at for s in snapshots(store, "pay", 10)] == [
        NOW,
        NOW + timedelta(days=7),
        NOW + timedelta(days=14),
    ]


def test_backlog_size_against_sprint_capacity(store: Store) -> None:
    store.upsert_items(
        [make_item(project="P", estimate=e) for e in (5.0, 8.0, 13.0, 3.0, 0.0)]
        + [make_item(project="P", estimate=None), make_item(project="P", status_category="done")]
    )
    config = Settings(teams=[{"name": "p", "projects": ["P"], "sprint_capacity": 10.0}])
    data = build_digest(store, Engine(), config, teams(config)[0], NOW)
    # the done item is not backlog; its 3 points do not count
    assert data.backlog_points == 29.0 and data.unestimated == 1
    assert data.sprints_of_work == pytest.approx(2.9)
    config = Settings(teams=[{"name": "p", "projects": ["P"]}])
    assert build_digest(store, Engine(), config, teams(config)[0], NOW).sprints_of_work is None


def _ledger(posted: datetime, human: datetime | None = None) -> LedgerRow:
    return LedgerRow(None, "open", "h" * 64, posted, None, None, None, human)


def test_refinery_comments_do_not_freshen_an_item() -> None:
    created = datetime(2026, 8, 1, tzinfo=UTC)
    human = datetime(2026, 9, 15, tzinfo=UTC)
    touched = datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)
    item = make_item(created=created, updated=touched)
    assert last_human_update(item, None) == touched
    # Refinery's comment recorded 25 s after Jira's timestamp: that update was Refinery's
    assert last_human_update(item, _ledger(touched + timedelta(seconds=25), human)) == human
    # ... and when the ledger knew no earlier human update, creation stands in
    assert last_human_update(item, _ledger(touched - timedelta(seconds=59))) == created
    # a comment two minutes apart is unrelated: a human touched the item
    assert last_human_update(item, _ledger(touched - timedelta(minutes=2), human)) == touched


def test_stale_items_and_intake_from_the_fixture(store: Store) -> None:
    load_backlog(store)
    config = settings()
    data = build_digest(store, Engine(), config, teams(config)[0], now())
    stale = {s.key: s.days for s in data.stale}
    assert stale["PAY-111"] == 87  # created 2026-09-03; its last update was Refinery's comment
    assert all(days >= 21 for days in stale.values())
    assert [s.days for s in data.stale] == sorted(stale.values(), reverse=True)
    assert [(r.id, r.age_days) for r in data.pending] == [(2, 17), (1, 2)]
    mobile = build_digest(store, Engine(), config, teams(config)[1], now())
    # #235 was last edited by Refinery; a human last touched it on 2026-10-28, 32 days ago
    assert {s.key: s.days for s in mobile.stale}["acme/mobile-app#235"] == 32
    # decisions after the 2026-11-23 digest: one accept, two declines (October's accept is old)
    assert (data.accepted, data.declined, data.other_decisions) == (1, 2, 0)


def test_requests_tagged_for_another_team_stay_out(store: Store) -> None:
    load_backlog(store)
    with store.session() as session:
        row = session.get(RequestRow, 1)
        assert row is not None
        row.extra = {"team": "mobile"}
    config = settings()
    payments, mobile = teams(config)
    assert [r.id for r in build_digest(store, Engine(), config, payments, now()).pending] == [2]
    assert [r.id for r in build_digest(store, Engine(), config, mobile, now()).pending] == [2, 1]


def test_reminder_takes_the_next_unready_todo_items_by_rank(store: Store) -> None:
    alice = Person(id="acc-a", name="Alice")
    items = [
        make_item(project="R", rank="0|a1:", estimate=None, assignee=alice),
        make_item(project="R", rank="0|a2:"),  # ready: skipped
        make_item(project="R", rank="0|a3:", estimate=None, status_category="in_progress"),
        make_item(project="R", rank="0|a4:", estimate=None, assignee=None),  # reporter owns it
        make_item(project="R", rank="0|a5:", estimate=None, assignee=alice),
        make_item(project="R", rank="0|a6:", estimate=None, assignee=alice),
    ]
    store.upsert_items(items)
    config = Settings(
        teams=[{"name": "r", "projects": ["R"], "refinement_items": 3}],
        slack={"people": {"acc-a": "U0ALICE"}},
    )
    data = build_reminder(store, Engine(), config, teams(config)[0])
    assert [(g.owner.text, [e.result.key for e in g.items]) for g in data.groups] == [
        ("<@U0ALICE>", [items[0].key, items[4].key]),
        ("Dana Reporter", [items[3].key]),
    ]
    (missing,) = data.groups[0].items[0].missing
    assert "estimate" in missing.lower()
