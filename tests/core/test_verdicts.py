"""Stored verdicts: judged once at ingest, stale when content or rules change, read by SQL."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

from sqlalchemy import select, text

from bot.services.judge import Judge
from bot.services.report import evaluate, stored_report
from bot.store import Store, open_store, readiness
from bot.store.models import ItemRow
from bot.store.store import make_engine
from bot.store.verdicts import save_verdicts
from connectors.item import Item, Person
from rules.engine import Engine
from tests.factories import make_item


def mixed_items(n: int, seed: int = 3) -> list[Item]:
    """Ready and unready items over two projects, kinds and statuses."""
    rng = random.Random(seed)
    items = []
    for number in range(n):
        items.append(
            make_item(
                key=f"{'PAY' if number % 3 else 'OPS'}-{number}",
                project="PAY" if number % 3 else "OPS",
                estimate=rng.choice([None, 2.0, 5.0]),
                text=rng.choice(["", "Fix the thing.", make_item().text]),
                kind=rng.choice(["story", "task", "bug"]),
                status_category=rng.choice(["todo", "in_progress", "done"]),
                assignee=rng.choice([None, Person("acc-7", "Ann Owner", "ann@example.com")]),
                rank=f"0|{rng.randint(0, 10**6):07d}",
            )
        )
    return items


def test_stored_report_matches_evaluating_every_item(store: Store) -> None:
    items = mixed_items(120)
    store.upsert_items(items)
    engine = Engine()
    assert Judge(store, engine).refresh() == 120
    naive, _ = evaluate(items, engine)
    stored = stored_report(store, readiness.Scope())
    assert (stored.items, stored.ready, stored.per_rule) == (
        naive.items,
        naive.ready,
        naive.per_rule,
    )
    assert {r.uid for r in stored.unready} == {r.uid for r in naive.unready}
    assert [r.uid for r in stored.top_by_rank(10)] == [r.uid for r in naive.top_by_rank(10)]
    assert [r.uid for r in stored.worst(10)] == [r.uid for r in naive.worst(10)]
    by_uid = {r.uid: r for r in naive.unready}
    for result in stored.unready:
        assert [f.rule for f in result.findings] == [f.rule for f in by_uid[result.uid].findings]
        expected = by_uid[result.uid].owner
        assert result.owner is not None and expected is not None
        assert (result.owner.id, result.owner.name) == (expected.id, expected.name)
        assert result.owner.email is None  # stored for reports without the e-mail address
    pay = stored_report(store, readiness.Scope(projects=("PAY",)))
    assert pay.items == sum(1 for i in items if i.project == "PAY" and i.status_category != "done")


def test_judged_once_then_stale_only_when_content_or_rules_change(store: Store) -> None:
    first, second = make_item(key="PAY-1", estimate=None), make_item(key="PAY-2")
    store.upsert_items([first, second])
    judge = Judge(store, Engine())
    assert judge.stale() == 2
    judge.items([first, second])
    assert judge.stale() == 0
    store.upsert_items([first, second])  # unchanged: verdicts still current
    assert judge.stale() == 0
    store.upsert_items([dataclasses.replace(second, estimate=None)])
    assert judge.stale() == 1
    judge.refresh()
    other_rules = Judge(store, Engine({"missing-estimate": {"severity": "error"}}))
    assert other_rules.fingerprint != judge.fingerprint
    assert other_rules.stale() == 2  # a changed configuration makes every verdict stale
    seen: list[tuple[int, int]] = []
    assert other_rules.refresh(lambda done, total: seen.append((done, total)), batch=1) == 2
    assert seen == [(1, 2), (2, 2)]
    assert other_rules.refresh() == 0  # once
    severities = {row.severity for rows in store.open_findings().values() for row in rows}
    assert severities == {"error"}


def test_a_webhook_racing_a_batch_keeps_its_item_stale(store: Store) -> None:
    old = make_item(key="PAY-1", estimate=None)
    store.upsert_items([old])
    store.upsert_items([dataclasses.replace(old, estimate=3.0)])  # stored after we read `old`
    judge = Judge(store, Engine())
    assert save_verdicts(store, [(old, judge.engine.evaluate(old))], judge.fingerprint) == 0
    assert judge.stale() == 1  # judged again with what is stored now
    judge.refresh()
    assert store.open_findings() == {}


def test_evidence_is_stored_with_each_finding(store: Store) -> None:
    item = make_item(key="PAY-1", text="As a user I want exports so that I can export.")
    store.upsert_items([item])
    found = Judge(store, Engine()).items([item])[0][1]
    stored = readiness.card(store, "jira", "PAY-1")
    assert stored is not None
    assert [(f.rule, f.evidence) for f in stored.findings] == [(f.rule, f.evidence) for f in found]


def test_filters_and_history(store: Store) -> None:
    owned = make_item(key="PAY-1", estimate=None, assignee=Person("acc-9", "Bo"), kind="task")
    other = make_item(key="PAY-2", text="", estimate=None)
    store.upsert_items([owned, other])
    judge = Judge(store, Engine())
    judge.refresh()
    assert [c.key for c in readiness.unready(store, readiness.Scope(owner="acc-9"))] == ["PAY-1"]
    assert [c.key for c in readiness.unready(store, readiness.Scope(kind="task"))] == ["PAY-1"]
    why = readiness.unready(store, readiness.Scope(rule="missing-why"))
    assert [c.key for c in why] == ["PAY-2"]
    store.upsert_items([dataclasses.replace(owned, estimate=1.0)])
    judge.refresh()
    card = readiness.card(store, "jira", "PAY-1", history=True)
    assert card is not None
    assert [(f.rule, f.resolved_at is not None) for f in card.findings] == [
        ("missing-estimate", True)
    ]


def test_a_store_from_before_stored_verdicts_is_judged_once(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.store.store import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        item = make_item(key="PAY-1", estimate=None)
        data = item.to_dict()
        connection.execute(
            text(
                "INSERT INTO items (source, key, project, title, kind, status_category, "
                "content_hash, data, synced_at) VALUES ('jira', 'PAY-1', 'PAY', :title, 'story', "
                "'todo', 'x', :data, '2026-11-01 00:00:00')"
            ),
            {"title": item.title, "data": json.dumps(data, default=str)},
        )
    engine.dispose()
    store = open_store(url)
    try:
        judge = Judge(store, Engine())
        assert judge.stale() == 1
        judge.refresh()
        with store.session() as session:
            row = session.execute(select(ItemRow.url, ItemRow.owner_id, ItemRow.judged)).one()
        assert row == (item.url, "acc-1", judge.fingerprint)
        assert stored_report(store, readiness.Scope()).per_rule == {"missing-estimate": 1}
    finally:
        store.close()


def test_migrations_match_the_models_for_items_and_findings(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.models import Base

    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        with store.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        store.close()
    mine = ("<items>", "<findings>", "'items'", "'findings'")
    assert [d for d in diffs if any(name in repr(d) for name in mine)] == []


def test_a_rules_change_is_judged_once_in_the_background(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'bg.db'}")
    try:
        store.upsert_items(mixed_items(30))
        Judge(store, Engine()).refresh()
        changed = Judge(store, Engine({"missing-why": {"enabled": False}}))
        thread = changed.start_background()
        assert thread is not None
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert (changed.state.done, changed.state.total, changed.state.running) == (30, 30, False)
        assert changed.stale() == 0 and changed.start_background() is None
        rules = {row.rule for rows in store.open_findings().values() for row in rows}
        assert "missing-why" not in rules
    finally:
        store.close()
