"""The Jira stream against a fake site: request budgets, resume, rate limits, deletions."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import responses

from bot.config import JiraConfig
from bot.services.sync import run_stream
from bot.store import Store, open_store
from connectors.jira import JiraClient, JiraStream
from tests.fakes.jira import SITE, T0, FakeJira, make_issue
from tests.fakes.sent import url_of


def config(**overrides: Any) -> JiraConfig:
    values: dict[str, Any] = {
        "url": SITE,
        "email": "po@example.com",
        "api_token": "s3cret-token",
        "projects": ["PAY"],
    }
    values.update(overrides)
    return JiraConfig(**values)


def stream_for(store: Store, **overrides: Any) -> JiraStream:
    cfg = config(**overrides)
    return JiraStream(JiraClient(cfg), cfg, kv=store)


def issues(n: int) -> list[dict[str, Any]]:
    # One minute apart; 11 is coprime to every n used, so keys and times are shuffled
    # against each other and "ORDER BY updated" really matters.
    return [make_issue(i, T0 + timedelta(minutes=(i * 11) % n)) for i in range(1, n + 1)]


def body(call: Any) -> str:
    raw = call.request.body or ""
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def snapshot(store: Store) -> dict[str, dict[str, Any]]:
    return {item.key: item.to_dict() for item in store.items(include_gone=True)}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    yield opened
    opened.close()


def test_full_sync_of_1050_items_stays_within_the_request_budget(
    store: Store, rsps: responses.RequestsMock
) -> None:
    site = FakeJira(rsps, issues(1050))
    summary = run_stream(store, stream_for(store), full=True)
    assert len(rsps.calls) <= math.ceil(1050 / 100) + 3
    paths = [url_of(c).removeprefix(SITE) for c in rsps.calls]
    assert paths.count("/rest/api/3/field") == 1  # field discovery, cached for incrementals
    assert paths.count("/rest/api/3/search/approximate-count") == 1
    assert paths.count("/rest/api/3/search/jql") == 11 and len(paths) == 13
    assert store.count_items() == 1050 and summary.inserted == 1050
    # Only the fields Refinery reads, never *all; newest-last order for resumability.
    searches = [c for c in rsps.calls if url_of(c).endswith("/search/jql")]
    assert searches and all('"*all"' not in body(c) for c in searches)
    assert all(q.endswith("ORDER BY updated ASC, key ASC") for q in site.jqls[1:])
    assert site.jqls[0] == 'project in ("PAY") AND statusCategory != Done'
    cursor, _ = store.get_cursor(f"jira:{SITE}")
    assert cursor == (T0 + timedelta(minutes=1049)).isoformat()
    stored = store.get_item("jira", "PAY-3")
    assert stored is not None and stored.estimate == 5.0 and stored.sprint == "Sprint 2"


def test_incremental_sync_with_7_changes_costs_at_most_3_requests(
    store: Store, rsps: responses.RequestsMock
) -> None:
    site = FakeJira(rsps, issues(1050))
    run_stream(store, stream_for(store), full=True)
    later = T0 + timedelta(days=1)
    for n in (5, 17, 300, 301, 640, 999, 1050):
        site.touch(f"PAY-{n}", later + timedelta(seconds=n), summary=f"Changed {n}")
    rsps.calls.reset()
    site.jqls.clear()
    summary = run_stream(store, stream_for(store))
    assert len(rsps.calls) <= math.ceil(7 / 100) + 2
    assert summary.updated == 7 and summary.gone == 0
    changed = store.get_item("jira", "PAY-640")
    assert changed is not None and changed.title == "Changed 640"
    # The cursor (UTC) went back 2 minutes and into the API user's zone (Berlin, UTC+1).
    since = (T0 + timedelta(minutes=1049) - timedelta(minutes=2)).astimezone(site.zone)
    assert f'updated >= "{since:%Y/%m/%d %H:%M}"' in site.jqls[0]


def test_429_with_retry_after_waits_as_told_and_stores_each_item_once(
    store: Store, rsps: responses.RequestsMock, sleeps: list[float]
) -> None:
    site = FakeJira(rsps, issues(350))
    site.fail[3] = (429, {"Retry-After": "7"}, '{"errorMessages":["Rate limit exceeded"]}')
    summary = run_stream(store, stream_for(store), full=True)
    assert len(sleeps) == 1 and 7 <= sleeps[0] <= 14  # ResilientSession: Retry-After..2x
    assert summary.inserted == 350 and summary.items == 350 and summary.unchanged == 0
    assert store.count_items() == 350


def test_sync_killed_halfway_then_rerun_matches_an_uninterrupted_sync(
    store: Store, rsps: responses.RequestsMock, tmp_path: Path
) -> None:
    site = FakeJira(rsps, issues(540))
    site.fail[3] = RuntimeError("process killed")  # raised by the transport on page 3
    with pytest.raises(RuntimeError):
        run_stream(store, stream_for(store), full=True)
    assert store.count_items() == 200
    run_stream(store, stream_for(store))  # plain rerun: resumes from the stored cursor
    clean = open_store(f"sqlite:///{tmp_path / 'clean.db'}")
    try:
        run_stream(clean, stream_for(clean), full=True)
        assert snapshot(store) == snapshot(clean)
        name = f"jira:{SITE}"
        assert store.get_cursor(name)[0] == clean.get_cursor(name)[0]
    finally:
        clean.close()


def test_items_that_left_the_jql_are_marked_gone(
    store: Store, rsps: responses.RequestsMock
) -> None:
    site = FakeJira(rsps, issues(30))
    run_stream(store, stream_for(store), full=True)
    del site.issues["PAY-4"], site.issues["PAY-9"]  # deleted, moved or closed
    summary = run_stream(store, stream_for(store))
    assert summary.gone == 2
    assert store.keys("jira") == {f"PAY-{n}" for n in range(1, 31)} - {"PAY-4", "PAY-9"}
    key_only = [c for c in rsps.calls if '"fields": ["key"]' in body(c)]
    assert len(key_only) == 1 and '"maxResults": 5000' in body(key_only[0])


def test_incremental_sync_keeps_every_live_item_when_id_searches_return_only_ids(
    store: Store, rsps: responses.RequestsMock
) -> None:
    # The fake answers an id-only search with ids and nothing else, as Atlassian documents.
    site = FakeJira(rsps, issues(842))
    run_stream(store, stream_for(store), full=True)
    site.touch("PAY-7", T0 + timedelta(days=1), summary="Changed")
    summary = run_stream(store, stream_for(store))
    assert summary.gone == 0 and summary.gone_refused == 0
    assert store.count_items() == 842
    shaped = site._shape(site.issues["PAY-1"], ["id"])
    assert shaped == {"id": site.issues["PAY-1"]["id"]}


def test_a_source_that_drops_more_than_a_fifth_is_not_marked_gone_without_full(
    store: Store, rsps: responses.RequestsMock
) -> None:
    site = FakeJira(rsps, issues(50))
    run_stream(store, stream_for(store), full=True)
    for n in range(1, 12):  # 11 of 50 = 22 %
        del site.issues[f"PAY-{n}"]
    summary = run_stream(store, stream_for(store))
    assert summary.gone == 0 and summary.gone_refused == 11
    assert "NOT marked gone" in summary.line() and store.count_items() == 50
    confirmed = run_stream(store, stream_for(store), full=True)
    assert confirmed.gone == 11 and store.count_items() == 39


def test_data_center_pages_by_offset_on_api_v2(store: Store, rsps: responses.RequestsMock) -> None:
    site = FakeJira(rsps, issues(250), deployment="datacenter", site="https://jira.acme.corp")
    stream = stream_for(store, url="https://jira.acme.corp", email="", api_token="pat")
    summary = run_stream(store, stream, full=True)
    assert summary.inserted == 250 and store.count_items() == 250
    urls = [url_of(c) for c in rsps.calls]
    assert urls[0] == "https://jira.acme.corp/rest/api/2/serverInfo"
    assert all("/rest/api/3/" not in url for url in urls)
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer pat"
    assert site.search_calls == 1 + 3  # the total, then three pages of 100


def test_an_item_changed_mid_sync_holds_the_cursor_back(
    store: Store, rsps: responses.RequestsMock
) -> None:
    site = FakeJira(rsps, issues(250), deployment="datacenter", site="https://jira.acme.corp")
    stream = stream_for(store, url="https://jira.acme.corp", email="", api_token="pat")
    pages = stream.fetch(None)
    first = next(pages)
    moved = first.items[0]
    # Someone edits an item we already read: offset paging may now skip its neighbour.
    site.touch(moved.key, T0 + timedelta(days=2))
    rest = list(pages)
    assert rest[-1].cursor is not None and first.cursor is not None
    assert moved.updated is not None and rest[-1].cursor <= moved.updated.isoformat()


def test_site_facts_are_cached_and_ambiguous_points_warn_once(
    store: Store, rsps: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    FakeJira(rsps, issues(5))
    first = stream_for(store).field_map()
    again = stream_for(store).field_map()
    assert first == again and first.story_points == ("customfield_10016", "customfield_10026")
    field_calls = [c for c in rsps.calls if url_of(c).endswith("/field")]
    assert len(field_calls) == 1
    warnings = [r.getMessage() for r in caplog.records if "story-point fields" in r.getMessage()]
    assert len(warnings) <= 1  # once per process (another test may have warned already)
    configured = stream_for(store, estimate_field="Story Points").field_map()
    assert configured.story_points == ("customfield_10026",)


def test_custom_jql_drops_its_order_by(store: Store, rsps: responses.RequestsMock) -> None:
    site = FakeJira(rsps, issues(3))
    stream = stream_for(store, jql="project = PAY AND labels = growth ORDER BY rank")
    list(stream.fetch(None))
    assert site.jqls[-1] == "project = PAY AND labels = growth ORDER BY updated ASC, key ASC"
