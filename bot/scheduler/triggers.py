"""Cron triggers with standard crontab weekdays and one run per wall-clock time across DST."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_SCAN_LIMIT = 100_000  # fire times looked at when searching backwards (a 1 s trigger, ~1 day)


class LocalCronTrigger(CronTrigger):  # type: ignore[misc]
    """A cron trigger whose fixed-hour times fire once when the clock falls back.

    APScheduler 3 fires "30 2 * * sun" twice on the night clocks go back (02:30 exists twice);
    a weekly digest must not post twice, so the second occurrence is skipped. Expressions with
    a `*` hour (every 15 minutes, hourly) keep firing through the repeated hour, since those
    are distinct real moments. A time that does not exist (spring forward) fires once, at the
    same instant APScheduler picks (the wall clock then reads an hour later).
    """

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while fire is not None and self._repeated_wall_time(fire):
            fire = super().get_next_fire_time(fire, fire)
        return fire

    def _repeated_wall_time(self, fire: datetime) -> bool:
        if fire.fold != 1 or str(self.fields[5]) == "*":
            return False
        return fire.replace(fold=0).utcoffset() != fire.utcoffset()


def crontab_trigger(expr: str, timezone: tzinfo) -> LocalCronTrigger:
    """Parse a 5-field crontab expression with standard weekday numbers (0 or 7 = Sunday).

    APScheduler 3 numbers weekdays from Monday = 0, so "0 9 * * 1" would fire on Tuesdays;
    numeric weekdays are rewritten as names first.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression {expr!r} needs 5 fields (minute hour day month weekday)")
    fields[4] = _weekday_names(fields[4])
    trigger: LocalCronTrigger = LocalCronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    return trigger


def _weekday_names(field: str) -> str:
    if field == "*" or any(ch.isalpha() for ch in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec == "*":
            low, high = 0, 6
        elif "-" in spec:
            low_text, high_text = spec.split("-", 1)
            low, high = int(low_text), int(high_text)
        else:
            low = high = int(spec)
            if step_text:
                high = 6
        if not (0 <= low <= 7 and 0 <= high <= 7 and low <= high and step >= 1):
            raise ValueError(f"bad weekday field {field!r}")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def last_fire_time(trigger: BaseTrigger, now: datetime, window: timedelta) -> datetime | None:
    """The trigger's latest fire time in [now - window, now], or None when it did not fire."""
    last: datetime | None = None
    fire: Any = trigger.get_next_fire_time(None, now - window)
    for _ in range(_SCAN_LIMIT):
        if fire is None or fire > now:
            break
        last = fire
        fire = trigger.get_next_fire_time(fire, fire)
    return last
