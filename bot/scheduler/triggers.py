"""Cron triggers with crontab's own semantics (cronsim), in the configured time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from cronsim import CronSim, CronSimError

_SCAN_LIMIT = 100_000  # fire times looked at when searching backwards (a 1 s trigger, ~1 day)
_FIELD_NAMES = {"day-of-week": "weekday", "day-of-month": "day of month"}


class CrontabTrigger(BaseTrigger):  # type: ignore[misc]
    """An APScheduler trigger whose times come from cronsim, a maintained crontab library.

    Crontab's own rules, not APScheduler's: weekdays numbered 0-7 from Sunday; a day of month
    and a weekday both restricted means either ("0 9 1 * 1" fires on the 1st and on Mondays);
    a fixed time in the repeated hour of autumn fires once; one in the skipped hour of spring
    fires once, when the clock jumps. Times are computed in the configured zone.
    """

    def __init__(self, expr: str, timezone: tzinfo) -> None:
        fields = expr.split()
        if len(fields) != 5:
            raise ValueError(
                f"cron expression {expr!r} needs 5 fields (minute hour day month weekday)"
            )
        self.expr = " ".join(fields)
        self.timezone = timezone
        try:
            CronSim(self.expr, datetime.now(timezone))
        except CronSimError as exc:
            reason = str(exc)
            for name, plain in _FIELD_NAMES.items():
                reason = reason.replace(name, plain)
            raise ValueError(f"cron expression {expr!r}: {reason.lower()}") from None

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        # cronsim yields times strictly after its start: from `previous`, or from just
        # before `now` so a time equal to now still fires.
        start = previous_fire_time or now - timedelta(seconds=1)
        fire: datetime = next(CronSim(self.expr, start.astimezone(self.timezone)))
        return fire

    def __str__(self) -> str:
        return f"cron[{self.expr}]"

    def __repr__(self) -> str:
        return f"<CrontabTrigger ({self.expr!r}, timezone={self.timezone})>"


def crontab_trigger(expr: str, timezone: tzinfo) -> CrontabTrigger:
    """Parse a 5-field crontab expression (standard weekday numbers: 0 or 7 = Sunday)."""
    return CrontabTrigger(expr, timezone)


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
