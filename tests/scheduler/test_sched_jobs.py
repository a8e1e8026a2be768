"""The configured jobs: which run, with what trigger, and what the sync job does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot.services.sync
from bot.config import Settings
from bot.context import AppContext
from bot.scheduler.jobs import job_specs, sync_all
from bot.store.models import FindingRow
from connectors.base import ConnectorError, Page, SyncPlan
from connectors.item import Item
from tests.factories import make_item


class ListStream:
    """A stream serving fixed items in one page (what run_stream reads)."""

    def __init__(self, name: str, items: list[Item], fail: bool = False) -> None:
        self.name, self.source, self.items, self.fail = name, "jira", items, fail

    def plan(self, cursor: str | None) -> SyncPlan:
        return SyncPlan(total=len(self.items))

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        if self.fail:
            raise ConnectorError("Jira answered 503")
        yield Page(self.items, cursor="2026-11-30T08:00:00Z")

    def live_keys(self) -> set[str] | None:
        return None


def _ctx(tmp_path: Path, **schedule: str) -> AppContext:
    settings = Settings(
        store={"url": f"sqlite:///{tmp_path / 'r.db'}"},
        schedule={"timezone": "Europe/Berlin", **schedule},
    )
    return AppContext.build(settings)


def test_jobs_follow_the_schedule_and_empty_expressions_switch_jobs_off(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, sync="*/15 * * * *", digest="0 9 * * 1", refinement="")
    specs = {spec.name: spec for spec in job_specs(ctx)}
    assert set(specs) == {"sync", "digest"}
    after = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Berlin
    fire = specs["digest"].trigger.get_next_fire_time(None, after)
    assert fire == datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    ctx.close()
    ctx = _ctx(tmp_path, sync="", refinement="30 13 * * 2", comments="0 * * * *")
    assert [spec.name for spec in job_specs(ctx)] == ["digest", "refinement", "comments"]
    ctx.close()


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "not an IANA zone"),
        ({"digest": "0 9 * *"}, "[schedule] digest = '0 9 * *': cron expression"),
    ],
)
def test_bad_schedules_are_named(tmp_path: Path, schedule: dict[str, str], message: str) -> None:
    settings = Settings(store={"url": f"sqlite:///{tmp_path / 'r.db'}"}, schedule=schedule)
    ctx = AppContext.build(settings)
    with pytest.raises(ValueError) as error:
        job_specs(ctx)
    assert message in str(error.value)
    ctx.close()


def test_sync_job_syncs_every_stream_then_evaluates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _ctx(tmp_path)
    unready = make_item(estimate=None)
    streams = [
        ListStream("jira:broken", [], fail=True),
        ListStream("jira:https://x", [make_item(), unready]),
    ]
    monkeypatch.setattr(bot.services.sync, "streams_for", lambda *args: streams)
    line = sync_all(ctx)
    assert "jira:broken: failed" in line  # one failing stream does not stop the others
    assert "jira:https://x: 2 items in 1 pages" in line
    assert "2 open items, 50% ready" in line
    assert ctx.store.get_cursor("jira:https://x")[0] == "2026-11-30T08:00:00Z"
    with ctx.store.session() as session:  # finding history was recorded
        rules = {(row.key, row.rule) for row in session.query(FindingRow)}
    assert (unready.key, "missing-estimate") in rules
    ctx.close()
