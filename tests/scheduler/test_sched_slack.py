"""Posting digests and reminders to a local fake Slack: errors, pacing, snapshots, dry run."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import _register, app
from bot.config import Settings
from bot.context import AppContext
from bot.scheduler.jobs import send_digests, send_reminders
from bot.services.digest import build_reminder
from bot.slack.poster import SlackPoster, make_web_client
from bot.store.models import DigestSnapshot
from tests.fakes.slack import FakeSlack
from tests.scheduler.sched_helpers import load_backlog, now, settings

TOKEN = "xoxb-test-not-a-real-token"
TEAMS = [
    {"name": "ok", "projects": ["PAY"], "channel": "C0OK"},
    {"name": "missing", "projects": ["PAY"], "channel": "C0MISSING"},
    {"name": "outsider", "projects": ["PAY"], "channel": "C0OUT"},
    {"name": "busy", "projects": ["PAY"], "channel": "C0BUSY"},
    {"name": "badauth", "projects": ["PAY"], "channel": "C0AUTH"},
    {"name": "mobile", "repos": ["acme/mobile-app"], "channel": "C0MOBILE"},
]
ERRORS = {
    "C0MISSING": "channel_not_found",
    "C0OUT": "not_in_channel",
    "C0BUSY": "ratelimited",
    "C0AUTH": "invalid_auth",
}


class FakeClock:
    """Time moves only when the poster sleeps (and a little per call), so pacing is exact."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        self.now += 0.01
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 2))
        self.now += seconds


def _context(tmp_path: Path, api_url: str, **overrides: object) -> AppContext:
    values: dict[str, Any] = {
        "store": {"url": f"sqlite:///{tmp_path / 'refinery.db'}"},
        "teams": TEAMS,
        "slack": {"api_url": api_url, "bot_token": TOKEN, "people": settings().slack.people},
    }
    values.update(overrides)
    ctx = AppContext.build(Settings(**values))
    load_backlog(ctx.store)
    return ctx


def _snapshots(ctx: AppContext) -> dict[str, int]:
    with ctx.store.session() as session:
        query = select(DigestSnapshot.team, func.count()).group_by(DigestSnapshot.team)
        return {team: count for team, count in session.execute(query)}


def test_slack_errors_are_logged_clearly_and_the_other_teams_still_get_their_digest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeSlack(ERRORS) as fake:
        ctx = _context(tmp_path, fake.api_url)
        before = _snapshots(ctx)
        clock = FakeClock()
        poster = SlackPoster(make_web_client(ctx.settings), clock=clock.clock, sleep=clock.sleep)
        with caplog.at_level(logging.ERROR, logger="bot.slack.poster"):
            outbox = send_digests(ctx, poster=poster, now=now())
    results = {r.channel: (r.ok, r.error) for r in outbox.results}
    assert results == {
        "C0OK": (True, None),
        "C0MISSING": (False, "channel_not_found"),
        "C0OUT": (False, "not_in_channel"),
        "C0BUSY": (False, "ratelimited"),
        "C0AUTH": (False, "invalid_auth"),
        "C0MOBILE": (True, None),
    }
    assert outbox.failed == 4 and outbox.line() == "2 posted, 4 failed"
    # every team was tried, in order, even after failures; ratelimited was retried 3 times
    channels = ("C0OK", "C0MISSING", "C0OUT", "C0BUSY", "C0AUTH")
    assert [len(fake.to_channel(c)) for c in channels] == [1, 1, 1, 4, 1]
    assert fake.to_channel("C0MOBILE") and fake.tokens[0] == f"Bearer {TOKEN}"
    # only the digests Slack accepted are remembered for next week's deltas and trend
    after = _snapshots(ctx)
    assert after["ok"] == 1 and after["mobile"] == before["mobile"] + 1
    assert not {"missing", "outsider", "busy", "badauth"} & set(after)
    lines = [r.getMessage() for r in caplog.records]
    assert any(
        "digest for missing not posted to C0MISSING: channel_not_found" in line
        and "check the team's `channel`" in line
        for line in lines
    )
    assert any("C0OUT: not_in_channel" in line and "/invite" in line for line in lines)
    assert any("C0BUSY: ratelimited" in line for line in lines)
    assert any("C0AUTH: invalid_auth" in line and "bot_token" in line for line in lines)
    assert not any(TOKEN in line for line in lines)
    ctx.close()


def test_pacing_is_one_message_per_second_per_channel() -> None:
    clock = FakeClock()
    with FakeSlack() as fake:
        client = make_web_client(Settings(slack={"api_url": fake.api_url, "bot_token": TOKEN}))
        poster = SlackPoster(client, clock=clock.clock, sleep=clock.sleep)
        for channel in ("C1", "C1", "C2", "C1", "C2"):
            assert poster.post(channel, "hi", [], what="test").ok
    assert [c["channel"] for c in fake.to("chat.postMessage")] == ["C1", "C1", "C2", "C1", "C2"]
    # the 2nd C1 post waits ~1 s; C2's first does not wait; the 3rd C1 post waits what is left
    # of its second after C2's post; the 2nd C2 post is already more than a second later
    assert clock.sleeps == [pytest.approx(0.99, abs=0.02), pytest.approx(0.98, abs=0.02)]


def test_an_unset_channel_is_not_posted_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeSlack() as fake:
        ctx = _context(tmp_path, fake.api_url, teams=[{"name": "nochan", "projects": ["PAY"]}])
        with caplog.at_level(logging.ERROR):
            outbox = send_digests(ctx, now=now())
    assert [(r.ok, r.error) for r in outbox.results] == [(False, "no_channel")]
    assert fake.calls == [] and "nochan" not in _snapshots(ctx)
    assert "digest for nochan not posted: no channel configured" in caplog.text
    ctx.close()


def test_reminder_posts_to_the_team_and_dms_each_owner_their_items(tmp_path: Path) -> None:
    teams = [{"name": "payments", "projects": ["PAY"], "channel": "C0PAY", "dm_owners": True}]
    with FakeSlack() as fake:
        ctx = _context(tmp_path, fake.api_url, teams=teams)
        clock = FakeClock()
        poster = SlackPoster(make_web_client(ctx.settings), clock=clock.clock, sleep=clock.sleep)
        outbox = send_reminders(ctx, poster=poster)
    assert outbox.failed == 0
    team_post = fake.to_channel("C0PAY")[0]
    dms = [call for call in fake.to("chat.postMessage") if call["channel"].startswith("U")]
    groups = build_reminder(ctx.store, ctx.engine, ctx.settings, ctx.settings.teams[0]).groups
    mapped = {g.owner.slack_id for g in groups if g.owner.slack_id}
    assert {"U02TOMAS", "U03MAYA"} <= mapped
    assert any(g.owner.slack_id is None for g in groups)  # e.g. Aiko: no Slack id, no DM
    assert sorted(dm["channel"] for dm in dms) == sorted(mapped)  # one DM per mapped owner
    everything = json.dumps(team_post["blocks"])
    for dm in dms:
        text = json.dumps(dm["blocks"])
        mine = next(w for w in outbox.messages if w.message["channel"] == dm["channel"])
        assert mine.message["blocks"] == dm["blocks"]
        assert "PAY-" in text
        keys = [part.split("|")[1].split(">")[0] for part in text.split("<https://")[1:]]
        assert keys and all(key in everything for key in keys)
    maya = json.dumps(next(dm for dm in dms if dm["channel"] == "U03MAYA")["blocks"])
    assert "PAY-143" not in maya  # Tomás's item
    ctx.close()


def test_cli_dry_run_prints_json_and_text_and_posts_nothing(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        ctx = _context(tmp_path, fake.api_url)
        ctx.close()
        config = tmp_path / "refinery.toml"
        config.write_text(
            f'[store]\nurl = "sqlite:///{tmp_path / "refinery.db"}"\n'
            f'[slack]\napi_url = "{fake.api_url}"\nbot_token = "{TOKEN}"\n'
            '[[teams]]\nname = "payments"\nprojects = ["PAY"]\nchannel = "C0PAY"\n'
            '[[teams]]\nname = "mobile"\nrepos = ["acme/mobile-app"]\nchannel = "C0MOBILE"\n'
        )
        _register()
        runner = CliRunner()
        digest = runner.invoke(
            app, ["digest", "--dry-run", "--team", "payments", "-c", str(config)]
        )
        remind = runner.invoke(app, ["remind", "--dry-run", "-c", str(config)])
        unknown = runner.invoke(app, ["digest", "--dry-run", "--team", "nope", "-c", str(config)])
    assert digest.exit_code == 0, digest.output
    assert '"type": "header"' in digest.output and '"channel": "C0PAY"' in digest.output
    assert "Backlog health — payments (channel C0PAY)" in digest.output
    assert "C0MOBILE" not in digest.output
    assert remind.exit_code == 0, remind.output
    assert "Refinement agenda — payments" in remind.output
    assert "Refinement agenda — mobile" in remind.output
    assert unknown.exit_code == 2 and "no team 'nope'" in unknown.output
    assert fake.calls == []
    check = AppContext.build(Settings(store={"url": f"sqlite:///{tmp_path / 'refinery.db'}"}))
    assert _snapshots(check) == {"payments": 8, "mobile": 1}  # the fixture's; a dry run adds none
    check.close()


def test_cli_digest_reports_what_was_not_posted(tmp_path: Path) -> None:
    with FakeSlack({"C0PAY": "not_in_channel"}) as fake:
        config = tmp_path / "refinery.toml"
        config.write_text(
            f'[store]\nurl = "sqlite:///{tmp_path / "refinery.db"}"\n'
            f'[slack]\napi_url = "{fake.api_url}"\nbot_token = "{TOKEN}"\n'
            '[[teams]]\nname = "payments"\nprojects = ["PAY"]\nchannel = "C0PAY"\n'
            '[[teams]]\nname = "mobile"\nrepos = ["acme/mobile-app"]\nchannel = "C0MOBILE"\n'
        )
        _fill_with_demo(f"sqlite:///{tmp_path / 'refinery.db'}")  # no digest of nothing
        _register()
        result = CliRunner().invoke(app, ["digest", "-c", str(config)])
    assert result.exit_code == 1
    assert "digest for payments → C0PAY: not posted (not_in_channel)" in result.output
    assert "digest for mobile → C0MOBILE: posted" in result.output
    assert len(fake.calls) == 2


def test_agenda_threads_post_each_item_as_its_own_message(tmp_path: Path) -> None:
    teams = [{"name": "payments", "projects": ["PAY"], "channel": "C0PAY", "agenda_threads": True}]
    with FakeSlack() as fake:
        ctx = _context(tmp_path, fake.api_url, teams=teams)
        clock = FakeClock()
        poster = SlackPoster(make_web_client(ctx.settings), clock=clock.clock, sleep=clock.sleep)
        outbox = send_reminders(ctx, poster=poster)
        agenda = build_reminder(ctx.store, ctx.engine, ctx.settings, ctx.settings.teams[0])
        ctx.close()
    posts = fake.to_channel("C0PAY")
    assert outbox.failed == 0 and len(posts) == 1 + len(agenda.agenda)
    assert "Refinement agenda — payments" in json.dumps(posts[0]["blocks"], ensure_ascii=False)
    for post, item in zip(posts[1:], agenda.agenda, strict=True):
        assert post["text"] == f"{item.entry.result.key}: {item.question}"
        assert "Answer in this thread" in json.dumps(post["blocks"])


def _fill_with_demo(url: str) -> None:
    from bot.cli.demo_cmd import demo_paths
    from bot.store import open_store
    from connectors.files import load_many

    store = open_store(url)
    try:
        for loaded in load_many(demo_paths()):
            store.upsert_items(loaded.items)
    finally:
        store.close()
