"""Cron triggers: standard weekdays, DST in the configured zone, the latest missed fire time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.scheduler.leader import SqliteLease
from bot.scheduler.runner import JobSpec, SchedulerRunner
from bot.scheduler.triggers import crontab_trigger, last_fire_time
from bot.store import open_store
from bot.store.models import JobRun

BERLIN = ZoneInfo("Europe/Berlin")


def fire_times(expr: str, start: datetime, end: datetime) -> list[datetime]:
    """Chain get_next_fire_time the way APScheduler does, from start until end."""
    trigger = crontab_trigger(expr, BERLIN)
    times: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return times


@pytest.mark.parametrize(
    ("expr", "weekday"),
    [("0 9 * * 1", 0), ("0 9 * * mon", 0), ("0 9 * * 0", 6), ("0 9 * * 7", 6), ("0 9 * * 5", 4)],
)
def test_weekday_numbers_mean_what_crontab_means(expr: str, weekday: int) -> None:
    (fire,) = fire_times(
        expr, datetime(2026, 6, 1, tzinfo=BERLIN), datetime(2026, 6, 8, tzinfo=BERLIN)
    )
    assert fire.weekday() == weekday and (fire.hour, fire.minute) == (9, 0)


def test_weekday_ranges_lists_and_steps() -> None:
    week = (datetime(2026, 6, 1, tzinfo=BERLIN), datetime(2026, 6, 8, tzinfo=BERLIN))
    assert [f.weekday() for f in fire_times("0 9 * * 1-5", *week)] == [0, 1, 2, 3, 4]
    assert [f.weekday() for f in fire_times("0 9 * * 2,4", *week)] == [1, 3]
    # */2 over 0-6 is Sunday, Tuesday, Thursday, Saturday in crontab
    assert sorted(f.weekday() for f in fire_times("0 9 * * */2", *week)) == [1, 3, 5, 6]
    with pytest.raises(ValueError, match="5 fields"):
        crontab_trigger("0 9 * *", BERLIN)
    with pytest.raises(ValueError, match="weekday"):
        crontab_trigger("0 9 * * 9", BERLIN)


@pytest.mark.parametrize(
    ("start", "offsets"),
    [
        # clocks go forward on Sunday 2026-03-29: +01:00 before, +02:00 after
        (datetime(2026, 3, 16, tzinfo=BERLIN), ["+01:00", "+01:00", "+02:00", "+02:00"]),
        # clocks go back on Sunday 2026-10-25: +02:00 before, +01:00 after
        (datetime(2026, 10, 12, tzinfo=BERLIN), ["+02:00", "+02:00", "+01:00", "+01:00"]),
    ],
)
def test_weekly_digest_fires_once_a_week_at_nine_local_across_dst(
    start: datetime, offsets: list[str]
) -> None:
    fires = fire_times("0 9 * * mon", start, start + timedelta(days=28))
    assert [f.strftime("%a %H:%M") for f in fires] == ["Mon 09:00"] * 4
    assert [f.isoformat()[-6:] for f in fires] == offsets
    gaps = [b - a for a, b in pairwise(fires)]
    # one week of wall-clock time; in real time one week give or take the lost/gained hour
    assert all(
        timedelta(days=7) - timedelta(hours=1) <= g <= timedelta(days=7, hours=1) for g in gaps
    )


def test_a_digest_inside_the_repeated_hour_fires_once_when_clocks_go_back() -> None:
    day = datetime(2026, 10, 24, 12, tzinfo=BERLIN)
    fires = fire_times("30 2 * * sun", day, day + timedelta(days=8))
    assert [f.astimezone(UTC).isoformat() for f in fires] == [
        "2026-10-25T00:30:00+00:00",  # 02:30 CEST, the first of the two 02:30s
        "2026-11-01T01:30:00+00:00",
    ]


def test_a_digest_inside_the_skipped_hour_fires_once_when_clocks_go_forward() -> None:
    day = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    fires = fire_times("30 2 * * sun", day, day + timedelta(days=8))
    assert len(fires) == 2  # 02:30 does not exist on 03-29; it still runs that day, once
    # As cron does: when the clock jumps from 02:00 to 03:00, at 03:00 CEST.
    assert fires[0].astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert fires[1].astimezone(UTC) == datetime(2026, 4, 5, 0, 30, tzinfo=UTC)


def test_hourly_jobs_keep_running_through_the_repeated_hour() -> None:
    start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)
    fires = fire_times("0 * * * *", start, start + timedelta(hours=4))
    utc = [f.astimezone(UTC).hour for f in fires]
    # 01:30 to 05:30 local spans five real hours: 02:00 CEST, 02:00 CET, 03:00, 04:00, 05:00
    assert utc == [0, 1, 2, 3, 4]


def test_last_fire_time_finds_the_latest_inside_the_window() -> None:
    trigger = crontab_trigger("0 9 * * mon", BERLIN)
    monday_10 = datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    expected = datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)
    assert last_fire_time(trigger, monday_10, timedelta(hours=2)) == expected
    assert last_fire_time(trigger, monday_10, timedelta(minutes=30)) is None
    assert last_fire_time(trigger, expected, timedelta(seconds=1)) == expected


def test_catch_up_with_a_frozen_clock_over_the_spring_change(tmp_path: object) -> None:
    """A digest due Monday 09:00 CEST (the first after the change), missed while down."""
    store = open_store("sqlite://")
    spec = JobSpec("digest", crontab_trigger("0 9 * * mon", BERLIN), lambda fire: None)
    runner = SchedulerRunner(store, [spec], SqliteLease(store), timezone=BERLIN, grace_seconds=3600)
    last_week = datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN)
    with store.session() as session:
        session.add(JobRun(job="digest", last_run_at=last_week, status="ok"))
    # 09:30 CEST = 07:30 UTC: inside the grace hour, so the 09:00 run is caught up, once
    with time_machine.travel(datetime(2026, 3, 30, 7, 30, tzinfo=UTC), tick=False):
        missed = runner.catch_up(spec, datetime.now(UTC))
        assert missed == datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)
        assert missed.astimezone(UTC).hour == 7  # 09:00 local is 07:00 UTC after the change
    # 10:05 CEST: outside the window: too late, wait for next week
    with time_machine.travel(datetime(2026, 3, 30, 8, 5, tzinfo=UTC), tick=False):
        assert runner.catch_up(spec, datetime.now(UTC)) is None
    # once it ran, nothing to catch up
    with store.session() as session:
        row = session.get(JobRun, "digest")
        assert row is not None
        row.last_run_at = datetime(2026, 3, 30, 9, 0, tzinfo=BERLIN)
    with time_machine.travel(datetime(2026, 3, 30, 7, 30, tzinfo=UTC), tick=False):
        assert runner.catch_up(spec, datetime.now(UTC)) is None


def test_job_runs_record_the_fire_time_each_run_covers_across_the_autumn_change() -> None:
    """Run the job wrapper at each real fire instant with a frozen clock: one run per week."""
    store = open_store("sqlite://")
    runs: list[datetime] = []
    spec = JobSpec("digest", crontab_trigger("0 9 * * mon", BERLIN), runs.append)
    lease = SqliteLease(store)
    lease.acquire()  # runs are fenced: only the lease holder runs jobs
    runner = SchedulerRunner(store, [spec], lease, timezone=BERLIN, grace_seconds=60)
    fires = fire_times(
        "0 9 * * mon", datetime(2026, 10, 12, tzinfo=BERLIN), datetime(2026, 11, 3, tzinfo=BERLIN)
    )
    for fire in fires:
        with time_machine.travel(fire + timedelta(seconds=2), tick=False):
            runner._run(spec)
            with store.session() as session:
                row = session.get(JobRun, "digest")
                assert row is not None and row.status == "ok"
                assert row.last_run_at == fire
    assert [r.astimezone(BERLIN).strftime("%m-%d %H:%M %z") for r in runs] == [
        "10-12 09:00 +0200",
        "10-19 09:00 +0200",
        "10-26 09:00 +0100",
        "11-02 09:00 +0100",
    ]


def test_day_of_month_and_weekday_together_mean_either_as_crontab_does() -> None:
    december = (datetime(2026, 12, 1, tzinfo=BERLIN), datetime(2027, 1, 2, tzinfo=BERLIN))
    days = [f.strftime("%a %d") for f in fire_times("0 9 1 * 1", *december)]
    # The 1st (a Tuesday) and every Monday, and 1 January (a Friday): not only Monday the 1st.
    assert days == ["Tue 01", "Mon 07", "Mon 14", "Mon 21", "Mon 28", "Fri 01"]


def test_a_bad_field_is_named() -> None:
    with pytest.raises(ValueError, match="minute"):
        crontab_trigger("61 9 * * *", BERLIN)
