"""The webhook inbox: deliveries kept before the 202, resumed after a restart, retried while
the tracker fails, refused with 503 when the store cannot take them; stale events ignored;
strict field checks; and nothing before the answer calls out."""

from __future__ import annotations

import copy
import dataclasses
import json
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.store.models import WebhookDelivery
from tests.webhooks.conftest import HookFactory, fixture

UPDATED = "webhook_issue_updated_description.json"


def deliveries(hook: Any) -> dict[str, str]:
    with hook.ctx.store.session() as session:
        return {row.delivery_id: row.status for row in session.scalars(select(WebhookDelivery))}


def at(payload: dict[str, Any], updated: str) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    changed["issue"]["fields"]["updated"] = updated
    return changed


def test_an_older_event_under_a_new_delivery_id_changes_nothing(make_hook: HookFactory) -> None:
    hook = make_hook()
    old = at(fixture("jira", UPDATED), "2024-12-29T10:00:00.000+0000")
    fixed = copy.deepcopy(old)
    fixed["issue"]["fields"]["updated"] = "2024-12-29T11:00:00.000+0000"
    fixed["issue"]["fields"]["customfield_10016"] = 3.0
    fixed["issue"]["fields"]["summary"] = "Fixed at 11:00"
    assert hook.jira_event(fixed, delivery="d-11")[0] == 202
    before = hook.snapshot()
    writes = len(hook.jira.writes)
    status, _ = hook.jira_event(old, delivery="d-10-again")  # the 10:00 state, delivered late
    assert status == 202
    after = hook.snapshot()
    assert after["items"] == before["items"] and after["FindingRow"] == before["FindingRow"]
    assert len(hook.jira.writes) == writes  # no comment edited back to "not ready"
    stored = hook.ctx.store.get_item("jira", "KAN-22")
    assert stored is not None and stored.title == "Fixed at 11:00"
    assert hook.dispatcher.stale == 1
    assert deliveries(hook)["jira:d-10-again"] == "done"


def test_a_sync_page_older_than_the_webhooked_copy_changes_nothing(
    make_hook: HookFactory,
) -> None:
    hook = make_hook()
    fresh = at(fixture("jira", UPDATED), "2024-12-29T11:00:00.000+0000")
    fresh["issue"]["fields"]["summary"] = "From the webhook"
    hook.jira_event(fresh)
    stored = hook.ctx.store.get_item("jira", "KAN-22")
    assert stored is not None and stored.updated is not None
    older = dataclasses.replace(
        stored, title="From an older page", updated=stored.updated - timedelta(hours=1)
    )
    result = hook.ctx.store.upsert_items([older])
    assert (result.updated, result.stale) == (0, 1)
    again = hook.ctx.store.get_item("jira", "KAN-22")
    assert again is not None and again.title == "From the webhook"


BAD_FIELDS = [
    (("summary",), {"text": "an object"}),
    (("labels",), "ux"),
    (("created",), "yesterday"),
    (("updated",), 12),
    (("description",), 5),
]


@pytest.mark.parametrize(("path", "value"), BAD_FIELDS)
def test_wrong_field_types_are_a_400_and_change_nothing(
    make_hook: HookFactory, path: tuple[str, ...], value: Any
) -> None:
    hook = make_hook()
    payload = fixture("jira", UPDATED)
    payload["issue"]["fields"][path[0]] = value
    before = hook.snapshot()
    status, answer = hook.jira_event(payload)
    assert status == 400, answer
    assert path[0] in answer["error"]
    assert hook.snapshot() == before


def test_an_over_long_key_and_over_deep_json_are_400(make_hook: HookFactory) -> None:
    hook = make_hook(server={"max_body_bytes": 1_048_576})
    before = hook.snapshot()
    payload = fixture("jira", UPDATED)
    payload["issue"]["key"] = "K" * 296 + "-1"
    assert hook.jira_event(payload)[0] == 400
    deep = (
        b'{"webhookEvent": "jira:issue_updated", "issue": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    )
    from bot.webhooks.signatures import sign
    from tests.webhooks.conftest import JIRA_SECRET

    status, answer = hook.post("/webhooks/jira", deep, {"X-Hub-Signature": sign(JIRA_SECRET, deep)})
    assert status == 400 and "deep" in answer["error"]
    nested = fixture("jira", UPDATED)
    node: dict[str, Any] = nested["issue"]["fields"]
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    assert hook.jira_event(nested)[0] == 400
    assert hook.snapshot() == before


def test_a_locked_store_answers_503_and_the_retried_delivery_is_kept(
    make_hook: HookFactory, tmp_path: Path
) -> None:
    hook = make_hook(store={"lock_timeout": 0.2})
    blocker = sqlite3.connect(tmp_path / "refinery.db", timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock (or a full disk)
    try:
        status, answer = hook.jira_event(
            fixture("jira", "webhook_issue_created.json"), delivery="x1"
        )
        assert status == 503 and "retry" in answer["error"]
    finally:
        blocker.rollback()
        blocker.close()
    assert hook.ctx.store.get_item("jira", "KAN-22") is None
    status, _ = hook.jira_event(fixture("jira", "webhook_issue_created.json"), delivery="x1")
    assert status == 202  # the sender's retry is not taken for a duplicate
    assert hook.ctx.store.get_item("jira", "KAN-22") is not None
    assert deliveries(hook) == {"jira:x1": "done"}


def test_pending_deliveries_are_resumed_on_start(make_hook: HookFactory, tmp_path: Path) -> None:
    from bot.store import open_store
    from bot.store.holders import holder_id
    from bot.store.inbox import Inbox

    store = open_store(f"sqlite:///{tmp_path / 'refinery.db'}")
    lease = timedelta(minutes=5)
    inbox = Inbox(store, "other-host:1:x", lease)
    body = json.dumps(fixture("jira", "webhook_issue_created.json")).encode()
    assert inbox.add("jira", "jira:left-pending", body)
    # One more, claimed by a process of this host that was killed mid-work.
    created = fixture("jira", "webhook_issue_created.json")
    created["issue"]["key"] = "KAN-23"
    assert inbox.add("jira", "jira:claimed-by-the-dead", json.dumps(created).encode())
    dead = holder_id()  # our pid with another suffix: an earlier process
    assert len(Inbox(store, dead, lease).claim(1)) == 1
    store.close()
    hook = make_hook()  # starts the inbox worker on the same database
    hook.dispatcher.drain(timeout=30)
    assert hook.ctx.store.get_item("jira", "KAN-22") is not None
    assert hook.ctx.store.get_item("jira", "KAN-23") is not None
    assert set(deliveries(hook).values()) == {"done"}
    assert {key for key, comments in hook.jira.comments.items() if comments} >= {"KAN-22", "KAN-23"}


def test_a_cold_field_cache_and_jira_down_still_answer_202_and_the_event_waits(
    make_hook: HookFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = make_hook()
    threads: list[str] = []
    real = requests.adapters.HTTPAdapter.send

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(adapter, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    hook.jira.down = True
    status, _ = hook.jira_event(fixture("jira", "webhook_issue_created.json"), delivery="cold")
    assert status == 202
    assert hook.ctx.store.get_item("jira", "KAN-22") is None  # Jira is down: not yet handled
    assert deliveries(hook) == {"jira:cold": "pending"}
    assert threads and not any(name.startswith("waitress") for name in threads), threads
    hook.jira.down = False
    deadline = time.monotonic() + 30
    while deliveries(hook) != {"jira:cold": "done"} and time.monotonic() < deadline:
        hook.dispatcher.drain(timeout=5)
        time.sleep(0.2)
    item = hook.ctx.store.get_item("jira", "KAN-22")
    assert item is not None and deliveries(hook) == {"jira:cold": "done"}
    assert not any(name.startswith("waitress") for name in threads)


def test_a_webhooks_only_jira_setup_answers_202(make_hook: HookFactory) -> None:
    hook = make_hook(jira={"jql": "", "projects": []})
    status, answer = hook.jira_event(fixture("jira", "webhook_issue_created.json"))
    assert (status, answer) == (202, {"status": "accepted"})
    assert hook.ctx.store.get_item("jira", "KAN-22") is not None
