"""Digest and reminder renderings of the stored backlog fixture, within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.render.digest import (
    MAX_BLOCKS,
    MAX_TEXT,
    check_limits,
    clip,
    digest_blocks,
    digest_message,
    digest_terminal,
    fit_lines,
    owner_dm_message,
    reminder_blocks,
    reminder_terminal,
)
from bot.services.agenda import QUESTIONS
from bot.services.digest import STALE_LISTED, build_digest, build_reminder
from bot.services.teams import teams
from bot.store import Store, open_store
from connectors.item import Person
from rules.engine import Engine
from tests.factories import make_item
from tests.scheduler.sched_helpers import load_backlog, now, settings


@pytest.fixture
def store() -> Store:
    store = open_store("sqlite://")
    load_backlog(store)
    return store


def _texts(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_digest_of_the_fixture_backlog_shows_every_part(store: Store) -> None:
    config = settings()
    payments = teams(config)[0]
    data = build_digest(store, Engine(), config, payments, now())
    message = digest_message(data)
    blocks = message["blocks"]
    assert check_limits(blocks) == []
    assert message["channel"] == "C0PAYMENTS"
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Backlog health — payments"},
    }
    text = _texts(blocks)
    # headline with the change since the 2026-11-23 digest (21 items, 11 ready then)
    assert f"*{data.items}* items" in text and "since 2026-11-23" in text
    assert "Ready trend, last 8 digests: " in text  # 7 stored + this one (trend_points = 8)
    # per-rule counts as fields, with their change
    fields = next(b for b in blocks if "fields" in b)["fields"]
    assert {f["text"].split("\n")[0] for f in fields} == {f"*{r}*" for r in data.per_rule}
    # top unready items link to the tracker and mention owners through the people map
    assert "<https://paylane-demo.atlassian.net/browse/PAY-102|PAY-102>" in text
    assert "<@U03MAYA>" in text
    # intake: two waiting requests with their age; decisions since the last digest
    assert "2 waiting for a decision" in text
    assert "waiting 17 d" in text
    assert "1 accepted, 2 declined" in text
    # PAY-111's last update was Refinery's comment: it counts as stale (created in September)
    assert "PAY-111" in text.split("*Stale*")[1]
    assert "sprints* of work" in text
    assert digest_terminal(data).startswith("Backlog health — payments (channel C0PAYMENTS)")


def test_reminder_is_an_agenda_with_one_question_per_item(store: Store) -> None:
    config = settings()
    payments = teams(config)[0]
    data = build_reminder(store, Engine(), config, payments)
    blocks = reminder_blocks(data)
    assert check_limits(blocks) == []
    assert data.count == payments.refinement_items == len(data.agenda)
    text = _texts(blocks)
    assert "Refinement agenda — payments" in text
    for number, item in enumerate(data.agenda, 1):
        line = f"*{number}.* <{item.entry.result.url}|{item.entry.result.key}>"
        assert line in text
        assert item.question in QUESTIONS.values()
        assert f"{line.split('>')[0]}" in text
    maya = next(g for g in data.groups if g.owner.slack_id == "U03MAYA")
    for entry in maya.items:  # each item names its owner
        assert f"{entry.result.key}> " in text and "<@U03MAYA>" in text
    dm = owner_dm_message("payments", maya)
    assert dm["channel"] == "U03MAYA"
    assert check_limits(dm["blocks"]) == []
    others = {e.result.key for g in data.groups if g is not maya for e in g.items}
    assert not any(key in _texts(dm["blocks"]) for key in others)
    assert "Refinement agenda — payments" in reminder_terminal(data)


def _huge_store(count: int) -> Store:
    store = open_store("sqlite://")
    long_title = "Make the checkout page faster for shoppers on slow mobile networks " * 3
    items = [
        make_item(
            key=f"BIG-{n}",
            project="BIG",
            title=f"<{n}> & more: {long_title}",
            description="",
            text="",
            estimate=None,
            rank=f"0|a{n:06d}:",
            assignee=Person(id=f"dev-{n % 120}", name=f"Developer {n % 120}"),
            updated=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        )
        for n in range(count)
    ]
    store.upsert_items(items)
    return store


def test_five_hundred_unready_items_still_fit() -> None:
    store = _huge_store(500)
    config = settings(
        teams=[{"name": "big", "projects": ["BIG"], "channel": "C0BIG", "refinement_items": 100}],
        digest={"stale_days": 30, "top_unready": 20},
    )
    team = teams(config)[0]
    data = build_digest(store, Engine(), config, team, datetime(2026, 11, 30, tzinfo=UTC))
    assert data.unready == 500 and data.stale_count == 500 and len(data.stale) == STALE_LISTED
    blocks = digest_blocks(data)
    assert check_limits(blocks) == []
    stale_text = next(
        b["text"]["text"] for b in blocks if "*Stale*" in b.get("text", {}).get("text", "")
    )
    assert stale_text.endswith("more") and "…and " in stale_text
    listed = stale_text.count("\n• ")
    assert stale_text.endswith(f"…and {500 - listed} more")  # counts the unlisted ones too
    # titles are escaped: Slack would read "<3>" as a link and "&" as an entity
    assert "&lt;3&gt; &amp; more: " in _texts(blocks)

    reminder = build_reminder(store, Engine(), config, team)
    assert reminder.count == 100 and len(reminder.groups) == 100
    blocks = reminder_blocks(reminder)
    assert len(blocks) <= MAX_BLOCKS
    assert check_limits(blocks) == []
    text = _texts(blocks)
    assert all(f"*{n}.* " in text for n in range(1, 101))  # every item, in rank order
    assert text.index("*1.* ") < text.index("*2.* ") < text.index("*100.* ")


def test_one_owner_with_a_hundred_items_is_cut_inside_the_text_limit() -> None:
    import dataclasses

    from connectors.item import Person

    store = _huge_store(300)
    owner = Person("dev-0", "Developer 0")  # one owner for everything
    store.upsert_items([dataclasses.replace(item, assignee=owner) for item in store.items()])
    config = settings(
        teams=[{"name": "big", "projects": ["BIG"], "channel": "C0BIG", "refinement_items": 100}]
    )
    reminder = build_reminder(store, Engine(), config, teams(config)[0])
    assert len(reminder.groups) == 1
    blocks = reminder_blocks(reminder)
    assert check_limits(blocks) == []
    assert all(len(b["text"]["text"]) <= MAX_TEXT for b in blocks if "text" in b)
    dm = owner_dm_message("big", reminder.groups[0])  # the owner's DM is cut inside the limit
    assert check_limits(dm["blocks"]) == []
    assert "…and " in dm["blocks"][1]["text"]["text"]


def test_fit_lines_and_clip_never_exceed_the_limit() -> None:
    lines = [f"line {n} " + "x" * 50 for n in range(200)]
    text = fit_lines(lines, 500, head="*Head*")
    assert len(text) <= 500
    assert text.startswith("*Head*\nline 0 ")
    shown = text.count("\nline ")
    assert text.endswith(f"…and {200 - shown} more")
    assert fit_lines(["short"], 500) == "short"
    assert clip("y" * 4000) == "y" * 2999 + "…"


def test_check_limits_names_what_is_wrong() -> None:
    too_many = [{"type": "divider"}] * 51
    assert check_limits(too_many) == ["51 blocks (max 50)"]
    long = [{"type": "section", "text": {"type": "mrkdwn", "text": "z" * 3001}}]
    assert check_limits(long) == ["block 0: text of 3001 chars (max 3000)"]
