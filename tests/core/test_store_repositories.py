"""The store's repositories: frozen records out, compare-and-set writes, indexed triage lookups,
and migration 0007 on a store that already holds items."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text, update

from bot.store import Store
from bot.store.cas import changed, swapped
from bot.store.jobs import JobRuns
from bot.store.leases import Lease, Leases
from bot.store.models import ItemRow
from bot.store.outcomes import Answer, Review, Reviews
from bot.store.prune import Proposal, Proposals
from bot.store.requests import Decision, DuplicateOrigin, Request, Requests
from bot.store.store import MIGRATIONS, head_revision, make_engine, schema_revision, upgrade
from bot.store.triage import TriageItems
from tests.conftest import PG_URL
from tests.factories import make_item

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def migrate(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@pytest.fixture(params=["sqlite", "postgres"])
def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Store]]:
    """An engine whose schema stops at 0006 (before item facets), and a Store on it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        schema: str = request.getfixturevalue("pg_schema")
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine, "0006")
    yield engine, Store(engine)
    engine.dispose()


def request_draft(**overrides: object) -> Request:
    values: dict[str, object] = {
        "id": 0,
        "status": "pending",
        "title": "Export invoices as CSV",
        "why": "finance reconciles by hand today",
        "requester": "U1",
        "origin": "slack",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(overrides)
    return Request(**values)  # type: ignore[arg-type]


# -- migration 0007 and triage lookups ------------------------------------------------------------


def test_migration_0007_indexes_the_labels_and_status_of_items_already_stored(
    old_engine: tuple[Engine, Store],
) -> None:
    engine, store = old_engine
    store.upsert_items(
        [
            make_item(key="PAY-1", labels=("Needs-Triage", "ux"), status="Open"),
            make_item(key="PAY-2", labels=("ux",), status="Waiting for triage"),
            make_item(key="PAY-3", labels=("needs-triage",), status_category="done"),
            make_item(key="PAY-4", labels=("needs-triage",)),
            make_item(key="PAY-5", labels=("needs-triagex",), status="waiting for triage "),
        ]
    )
    store.mark_gone("jira", ["PAY-4"])
    # An item stored before 0004 filled the status column: only its JSON knows the status.
    with store.session() as session:
        session.execute(update(ItemRow).where(ItemRow.key == "PAY-2").values(status=""))

    migrate(engine, "head")

    triage = TriageItems(store)
    assert [i.key for i in triage.labelled("jira", "needs-triage")] == ["PAY-1"]
    assert [i.key for i in triage.in_status("jira", "WAITING FOR TRIAGE")] == ["PAY-2", "PAY-5"]
    assert triage.labelled("github", "needs-triage") == []
    # and the triggers keep new writes current from now on
    store.upsert_items([make_item(key="PAY-1", labels=("ux",), status="Open")])
    store.upsert_items([make_item(key="PAY-6", labels=("needs-triage", "NEEDS-TRIAGE"))])
    assert [i.key for i in triage.labelled("jira", "Needs-Triage")] == ["PAY-6"]


def test_triage_lookups_read_the_facet_index_not_every_item(sqlite_store: Store) -> None:
    sqlite_store.upsert_items([make_item(key=f"PAY-{n}", labels=("ux",)) for n in range(50)])
    with sqlite_store.engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT items.data FROM items JOIN item_facets "
                "ON item_facets.item_id = items.id WHERE item_facets.facet = 'label' "
                "AND item_facets.value = lower(trim('ux')) AND items.source = 'jira'"
            )
        ).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "SEARCH item_facets USING" in details and "SCAN items" not in details


def test_non_ascii_labels_are_found_and_like_wildcards_match_nothing(store: Store) -> None:
    store.upsert_items([make_item(key="PAY-1", labels=("prüfen",)), make_item(key="PAY-2")])
    assert [i.key for i in TriageItems(store).labelled("jira", "prüfen")] == ["PAY-1"]
    assert TriageItems(store).labelled("jira", "pr%fen") == []


# -- requests and decisions -----------------------------------------------------------------------


def test_requests_are_frozen_records_and_a_claim_is_won_once(store: Store) -> None:
    requests = Requests(store)
    stored = requests.add(request_draft(extra={"team": "payments"}))
    assert stored.id > 0 and stored.version == 0 and stored.extra == {"team": "payments"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.status = "accepted"  # type: ignore[misc]

    decision = Decision(stored.id, "decline", "U9", "not now", None, NOW)
    first = requests.claim(stored.id, 0, "declined", decision=decision)
    second = requests.claim(stored.id, 0, "declined", decision=decision)
    assert first.won and first.request is not None and first.request.status == "declined"
    assert first.decision is not None and first.decision.id > 0
    assert not second.won and second.request is not None and second.request.version == 1
    assert [d.action for d in requests.decisions(stored.id)] == ["decline"]
    assert requests.decided_since(NOW - timedelta(days=1)) == [("decline", {"team": "payments"})]
    assert requests.claim(999, 0, "declined") == dataclasses.replace(second, request=None)


def test_a_claim_then_finish_and_a_lost_finish(store: Store) -> None:
    requests = Requests(store)
    stored = requests.add(request_draft())
    claim = requests.claim(stored.id, 0, "accepting")
    assert claim.won and claim.request is not None and claim.request.version == 1
    accept = Decision(stored.id, "accept", "U9", "", "PAY-9", NOW)
    assert requests.finish(stored.id, "accepting", 0, "accepted", accept) is None  # stale
    done = requests.finish(stored.id, "accepting", 1, "accepted", accept, {"ticket_key": "PAY-9"})
    assert done is not None and done.target == "PAY-9"
    after = requests.get(stored.id)
    assert after is not None and (after.status, after.ticket_key, after.version) == (
        "accepted",
        "PAY-9",
        2,
    )
    assert not requests.move(stored.id, "accepting", 1, "pending")


def test_a_tracker_item_is_queued_once(store: Store) -> None:
    requests = Requests(store)
    requests.add(request_draft(origin="jira", origin_key="PAY-1"))
    with pytest.raises(DuplicateOrigin):
        requests.add(request_draft(origin="jira", origin_key="PAY-1"))
    assert requests.known_origins(["PAY-1", "PAY-2"]) == {"PAY-1"}
    assert [r.origin_key for r in requests.pending()] == ["PAY-1"]


# -- leases, job runs, compare-and-set ------------------------------------------------------------


def test_a_lease_is_refused_while_fresh_and_taken_over_when_allowed(sqlite_store: Store) -> None:
    leases = Leases(sqlite_store)
    assert leases.take("scheduler", "a", NOW, lambda lease: False) == (True, None)
    refused = leases.take("scheduler", "b", NOW, lambda lease: False)
    assert refused == (False, Lease("scheduler", "a", NOW))
    assert leases.take("scheduler", "b", NOW, lambda lease: lease.holder == "a") == (True, None)
    assert not leases.renew("scheduler", "a", NOW)
    assert leases.renew("scheduler", "b", NOW + timedelta(seconds=30))
    leases.release("scheduler", "a")  # not a's to release
    assert leases.holder("scheduler") == "b"
    leases.release("scheduler", "b")
    assert leases.holder("scheduler") is None


def test_a_tick_is_claimed_by_one_epoch_only(store: Store) -> None:
    runs = JobRuns(store)
    one, two = runs.new_epoch("a", NOW), runs.new_epoch("b", NOW)
    assert two > one
    assert runs.claim_tick("digest", NOW, one, "a", NOW, timedelta(days=7))
    assert not runs.claim_tick("digest", NOW, two, "b", NOW, timedelta(days=7))
    runs.record("digest", NOW, "ok", "3 posted")
    last = runs.last("digest")
    assert last is not None and (last.status, last.detail) == ("ok", "3 posted")
    assert [r.job for r in runs.all()] == ["digest"]


def test_changed_counts_rows_and_swapped_means_exactly_one(sqlite_store: Store) -> None:
    sqlite_store.upsert_items([make_item(key="PAY-1"), make_item(key="PAY-2")])
    with sqlite_store.session() as session:
        everything = update(ItemRow).values(title="x")
        assert changed(session, everything) == 2
        assert not swapped(session, everything)
        assert swapped(session, update(ItemRow).where(ItemRow.key == "PAY-1").values(title="y"))
        assert changed(session, update(ItemRow).where(ItemRow.key == "none").values(title="z")) == 0


def test_a_proposal_is_decided_once(store: Store) -> None:
    proposals = Proposals(store)
    draft = Proposal(
        0, "b1", "payments", "jira", "PAY-1", "Old idea", "u", "no goal", "proposed", 0, NOW
    )
    (pid,) = proposals.add([draft])
    kept = proposals.move(pid, "proposed", 0, "kept", {"decided_by": "UPO", "decided_at": NOW})
    late = proposals.move(pid, "proposed", 0, "declining", {"reason": "x"})
    assert kept.won and kept.proposal is not None and kept.proposal.version == 1
    assert not late.won and late.proposal is not None and late.proposal.status == "kept"
    proposals.remember_message("b1", "UPO", "C1", "1.2")
    assert [p.messages for p in proposals.batch("b1")] == [{"UPO": ["C1", "1.2"]}]
    assert [p.key for p in proposals.decided_since("payments", ["kept"], NOW - timedelta(1))] == [
        "PAY-1"
    ]
    assert proposals.get(999) is None


def test_an_outcome_answer_is_stored_once(store: Store) -> None:
    reviews = Reviews(store)
    draft = Review(
        0,
        "jira",
        "PAY-1",
        "payments",
        "t",
        "u",
        "p95 under 1 s",
        "U1",
        "asked",
        1,
        3,
        NOW,
        None,
        NOW,
        NOW,
    )
    assert reviews.add([draft]) == [draft]
    assert reviews.add([draft]) == []  # another replica's row is already there
    (stored,) = reviews.with_target()
    answer = Answer(stored.id, "moved", "0.8 s", "", "U1", NOW)
    values = {"version": 4, "status": "reviewed", "answer": "moved"}
    first = reviews.answer(stored.id, 3, "asked", values, answer)
    assert first is not None and first.id > 0
    assert reviews.answer(stored.id, 3, "asked", values, answer) is None
    assert [a.answer for a in reviews.answers([stored.id])[stored.id]] == ["moved"]
    assert reviews.counts("payments", "out_of_scope") == [("reviewed", "moved", 1)]


def test_migration_0007_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    migrate(engine, "head")
    store = Store(engine)
    store.upsert_items([make_item(key="PAY-1", labels=("needs-triage",))])
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    store.upsert_items([make_item(key="PAY-2", labels=("needs-triage",))])  # no triggers now
    migrate(engine, "head")
    assert [i.key for i in TriageItems(store).labelled("jira", "needs-triage")] == [
        "PAY-1",
        "PAY-2",
    ]
    engine.dispose()


def test_every_migration_file_is_named_after_its_revision_and_the_newest_is_head() -> None:
    """upgrade() tells a current schema from the file names alone (no Alembic import)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    for script in scripts.walk_revisions():
        assert script.path is not None
        assert Path(script.path).name.split("_", 1)[0] == script.revision
    assert head_revision() == scripts.get_current_head()


def test_upgrade_brings_an_older_store_to_head_and_a_new_one_too(
    old_engine: tuple[Engine, Store], tmp_path: Path
) -> None:
    engine, _ = old_engine
    assert schema_revision(engine) == "0006"
    upgrade(engine)
    assert schema_revision(engine) == head_revision()
    fresh = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert schema_revision(fresh) is None
    upgrade(fresh)
    assert schema_revision(fresh) == head_revision()
    fresh.dispose()


def test_opening_a_current_store_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    probe = (
        "import sys; from bot.store import open_store; open_store(sys.argv[1]).close(); "
        "print('alembic' in sys.modules)"
    )
    first = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True)
    again = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False"), first.stderr
