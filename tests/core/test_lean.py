"""Backlog facts from the store: own writes never count, leanness figures, prune decisions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from bot.config import Settings, TeamConfig
from bot.render.digest import digest_terminal
from bot.services import prune
from bot.services.digest import build_digest
from bot.services.lean import stored_leanness, team_leanness
from bot.services.report import evaluate_store
from bot.store import Store
from bot.store.backlog_read import store_backlog
from bot.store.models import CommentLedger, DecisionRow, RequestRow
from rules.engine import Engine
from tests.factories import make_item
from tests.slack.fake_tracker import FakeTracker

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=300)
TEAM = TeamConfig(name="Payments", projects=["PAY"], po_users=["UPO"], sprint_capacity=20.0)


def settings(**prune_values: object) -> Settings:
    return Settings(slack={"po_users": ["UPO"]}, teams=[TEAM], prune=prune_values)


def commented_by_refinery(store: Store, key: str, at: datetime, human: datetime) -> None:
    with store.session() as session:
        session.add(
            CommentLedger(
                source="jira",
                key=key,
                comment_id="1",
                content_hash="x",
                state="open",
                posted_at=at,
                human_updated=human,
            )
        )


def test_refinerys_comment_is_not_activity_for_stale_or_prune(store: Store) -> None:
    ours = NOW - timedelta(days=1)
    store.upsert_items(
        [
            make_item(key="PAY-1", created=LONG_AGO, updated=ours + timedelta(seconds=5)),
            make_item(key="PAY-2", created=LONG_AGO, updated=NOW - timedelta(days=3)),
        ]
    )
    commented_by_refinery(store, "PAY-1", ours, LONG_AGO)
    report = evaluate_store(store, Engine({"stale": {"enabled": True}}))
    stale = {r.key: r.findings for r in report.unready}
    assert list(stale) == ["PAY-1"]
    assert stale["PAY-1"][0].evidence == f"last human update {LONG_AGO.date().isoformat()}"
    found = prune.find_candidates(store, settings(), TEAM, NOW)
    assert [c.key for c in found] == ["PAY-1"]
    assert found[0].why.startswith("no update by a person for 300 days; no goal")


def test_keep_snoozes_and_decline_closes_once_under_ten_threads(store: Store) -> None:
    store.upsert_items(
        [make_item(key=f"PAY-{n}", created=LONG_AGO, updated=LONG_AGO) for n in (1, 2)]
    )
    run = prune.plan(store, settings(), [TEAM], NOW)
    proposal = run.teams[0]
    ids = prune.record(store, proposal)
    kept = prune.keep(store, ids[0], 0, "UPO", snooze_days=30)
    assert kept.status == prune.KEPT and kept.snooze_until is not None
    tracker = FakeTracker("jira")
    tracker.delay = 0.1
    outcomes: list[str] = []

    def click() -> None:
        try:
            prune.decline(store, lambda _source: tracker, ids[1], 0, "UPO", "No goal")
            outcomes.append("declined")
        except prune.Conflict as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=click) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("declined") == 1 and len(outcomes) == 10
    assert tracker.closed == [
        ("PAY-2", "Declined by the product owner at the backlog prune: No goal")
    ]
    declined = prune.get(store, ids[1])
    assert declined is not None and declined.status == prune.DECLINED
    # Neither is proposed again: one is snoozed, the other declined.
    assert prune.find_candidates(store, settings(), TEAM, NOW) == []
    # A proposal already decided refuses a late Keep.
    try:
        prune.keep(store, ids[1], 2, "UPO", snooze_days=30)
    except prune.Conflict as exc:
        assert "already declined" in str(exc)
    else:
        raise AssertionError("a decided proposal was decided again")


def test_velocity_from_done_points_per_sprint_and_acceptance_rate(store: Store) -> None:
    done = [
        make_item(
            status_category="done",
            sprint=f"PAY Sprint {n}",
            estimate=points,
            updated=NOW - timedelta(days=14 * (5 - n)),
        )
        for n, points in ((1, 50.0), (2, 10.0), (3, 20.0), (4, 30.0))
    ]
    todo = [
        make_item(estimate=13.0, created=NOW - timedelta(days=d), updated=NOW - timedelta(days=d))
        for d in (5, 40, 400)
    ]
    store.upsert_items([*done, *todo, make_item(estimate=None, created=NOW - timedelta(days=100))])
    lean = stored_leanness(
        store,
        None,
        ["PAY"],
        now=NOW,
        capacity=99.0,
        sprint_weeks=2.0,
        accepted=19,
        declined=1,
    )
    assert lean.velocity == 20.0  # the last three sprints: 10, 20, 30; the capacity is unused
    assert lean.backlog_points == 39.0 and lean.unestimated == 1
    assert round(lean.months_of_work or 0, 2) == round(39 / 20 * 2 / (52 / 12), 2)
    assert dict(lean.by_age) == {
        "under 1 month": 1,
        "1-3 months": 1,
        "3-6 months": 1,
        "6-12 months": 0,
        "over a year": 1,
    }
    assert lean.never_touched == 3  # the three updated when created; the last one was edited
    assert lean.acceptance_rate == 95.0
    assert "Intake, last 90 days: 95% accepted (19 accepted, 1 declined)" in lean.lines()


def test_leanness_counts_age_bands_at_their_edges_and_only_live_items_in_scope(
    store: Store,
) -> None:
    """A band holds items younger than its days: exactly 30 days old is "1-3 months"."""
    ages = {"PAY-1": 29.99, "PAY-2": 30, "PAY-3": 90.5, "PAY-4": 364, "PAY-5": 365}
    items = [
        make_item(key=key, created=NOW - timedelta(days=d), updated=NOW - timedelta(days=d))
        for key, d in ages.items()
    ]
    unknown_age = make_item(key="PAY-6", created=None, updated=None, estimate=None)
    other_project = make_item(key="OPS-1", project="OPS")
    store.upsert_items([*items, unknown_age, other_project])
    store.upsert_items([make_item(key="PAY-7")])
    store.mark_gone("jira", ["PAY-7"])
    lean = stored_leanness(
        store, "jira", ["PAY"], now=NOW, capacity=None, sprint_weeks=2, accepted=0, declined=0
    )
    assert dict(lean.by_age) == {
        "under 1 month": 1,
        "1-3 months": 2,
        "3-6 months": 0,
        "6-12 months": 1,
        "over a year": 2,  # 365 days, and the item with no creation date
    }
    assert lean.open_items == 6 and lean.unestimated == 1 and lean.backlog_points == 15.0
    assert lean.never_touched == 6  # five updated when created, one never updated at all
    assert lean.velocity is None and "no velocity known" in " ".join(lean.lines())
    none_there = stored_leanness(
        store, "github", None, now=NOW, capacity=None, sprint_weeks=2, accepted=0, declined=0
    )
    assert none_there.open_items == 0 and none_there.never_touched == 0


def test_never_touched_tells_refinerys_comment_from_a_persons_update(store: Store) -> None:
    """Updated 30 s after creation counts as untouched, 2 min after as touched; an update
    that was Refinery's own comment does not count, whatever it did to `updated`."""
    ours = NOW - timedelta(days=2)
    store.upsert_items(
        [
            make_item(key="PAY-1", created=LONG_AGO, updated=LONG_AGO + timedelta(seconds=30)),
            make_item(key="PAY-2", created=LONG_AGO, updated=LONG_AGO + timedelta(minutes=2)),
            # Refinery commented; the person before it never touched the item.
            make_item(key="PAY-3", created=LONG_AGO, updated=ours + timedelta(seconds=5)),
            # Refinery commented, but a person edited the item afterwards.
            make_item(key="PAY-4", created=LONG_AGO, updated=NOW - timedelta(hours=1)),
            # Refinery commented; a person had edited it before.
            make_item(key="PAY-5", created=LONG_AGO, updated=ours),
        ]
    )
    commented_by_refinery(store, "PAY-3", ours, LONG_AGO)
    commented_by_refinery(store, "PAY-4", ours, LONG_AGO)
    commented_by_refinery(store, "PAY-5", ours, LONG_AGO + timedelta(days=3))
    lean = team_leanness(store, settings(), TEAM, NOW)
    assert lean.open_items == 5
    assert lean.never_touched == 2  # PAY-1 and PAY-3


def test_digest_shows_leanness_and_prune_decisions(store: Store) -> None:
    store.upsert_items([make_item(key="PAY-1", created=LONG_AGO, updated=LONG_AGO)])
    with store.session() as session:
        request = RequestRow(
            title="CSV",
            why="finance",
            version=1,
            status="accepted",
            created_at=NOW,
            updated_at=NOW,
            extra={},
        )
        session.add(request)
        session.flush()
        session.add(
            DecisionRow(
                request_id=request.id,
                action="accept",
                actor="UPO",
                decided_at=NOW - timedelta(days=10),
            )
        )
    proposal = prune.plan(store, settings(), [TEAM], NOW).teams[0]
    ids = prune.record(store, proposal)
    prune.decline(store, lambda _s: FakeTracker("jira"), ids[0], 0, "UPO", "Superseded")
    data = build_digest(store, Engine(), settings(), TEAM, NOW + timedelta(minutes=1))
    text = digest_terminal(data)
    assert "Leanness" in text and "over a year: 1" not in text  # 300 days: 6-12 months
    assert "6-12 months: 1" in text
    assert "Intake, last 90 days: 100% accepted (1 accepted, 0 declined)" in text
    assert "PAY-1 declined by <@UPO>: Superseded" in text
    assert team_leanness(store, settings(), TEAM).open_items == 1
    assert store_backlog(store).get("PAY-1") is not None


def test_the_weekly_prune_job_runs_only_when_enabled() -> None:
    from types import SimpleNamespace

    from bot.scheduler.jobs import job_specs

    off = job_specs(SimpleNamespace(settings=settings()))  # type: ignore[arg-type]
    on = job_specs(SimpleNamespace(settings=settings(enabled=True)))  # type: ignore[arg-type]
    assert "prune" not in [spec.name for spec in off]
    assert "prune" in [spec.name for spec in on]
