"""What each scheduled job does: sync, post digests, post refinement reminders."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.render.digest import (
    agenda_item_message,
    digest_message,
    digest_summary,
    digest_terminal,
    owner_dm_message,
    reminder_message,
    reminder_terminal,
)
from bot.scheduler.runner import JobSpec, SchedulerRunner, leadership_for
from bot.scheduler.triggers import crontab_trigger
from bot.services.digest import (
    DigestData,
    ReminderData,
    build_digest,
    build_reminder,
    save_snapshot,
)
from bot.services.teams import select_teams
from bot.slack.poster import PostResult, SlackPoster

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One message to post: what it is, the chat.postMessage arguments, a terminal rendering."""

    what: str
    message: dict[str, Any]
    text: str


@dataclass
class Outbox:
    """The messages one digest or reminder run produced, and what happened to each."""

    messages: list[Outgoing] = field(default_factory=list)
    results: list[PostResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a message was not even built

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if not result.ok)

    def line(self) -> str:
        posted = sum(1 for result in self.results if result.ok)
        return f"{posted} posted, {self.failed} failed"


def send_digests(
    ctx: AppContext,
    *,
    team: str | None = None,
    dry_run: bool = False,
    poster: SlackPoster | None = None,
    now: datetime | None = None,
) -> Outbox:
    """Build each team's digest; post it and store a snapshot unless this is a dry run."""
    outbox = Outbox()
    poster = poster or SlackPoster(lambda: ctx.slack)
    for config in select_teams(ctx.settings, team):
        data = build_digest(ctx.store, ctx.engine, ctx.settings, config, now)
        if _nothing_to_say(data):  # "every item is ready" about nothing would mislead
            outbox.skipped.append(
                f"digest for {config.name}: not posted, no open items (run `refinery sync`)"
            )
            log.info("%s", outbox.skipped[-1])
            continue
        outgoing = Outgoing(
            f"digest for {config.name}", digest_message(data), digest_terminal(data)
        )
        outbox.messages.append(outgoing)
        if dry_run:
            continue
        result = _post(poster, outgoing)
        outbox.results.append(result)
        if result.ok:  # the trend and deltas must only count digests people saw
            save_snapshot(ctx.store, data)
            log.info("digest posted: %s", digest_summary(data))
    return outbox


def _nothing_to_say(data: DigestData) -> bool:
    """No open item, no request, no decision and no outcome review: an empty backlog."""
    outcomes = data.outcomes
    reviews = outcomes is not None and (outcomes.reviewed or outcomes.waiting or outcomes.done)
    decided = data.accepted or data.declined or data.other_decisions
    return data.items == 0 and not (data.pending or decided or reviews)


def send_reminders(
    ctx: AppContext,
    *,
    team: str | None = None,
    dry_run: bool = False,
    poster: SlackPoster | None = None,
) -> Outbox:
    """Build each team's refinement reminder (and owner DMs when the team wants them)."""
    outbox = Outbox()
    poster = poster or SlackPoster(lambda: ctx.slack)
    for config in select_teams(ctx.settings, team):
        data = build_reminder(ctx.store, ctx.engine, ctx.settings, config)
        batch = [
            Outgoing(f"reminder for {config.name}", reminder_message(data), reminder_terminal(data))
        ]
        if config.agenda_threads:  # one message per item: each has a thread of its own
            for number, item in enumerate(data.agenda, 1):
                message = agenda_item_message(data.channel, number, item)
                what = f"agenda item {item.entry.result.key}"
                batch.append(Outgoing(what, message, message["text"]))
        if config.dm_owners:
            for group in data.groups:
                if group.owner.slack_id is None:
                    log.info("reminder: no Slack id for %s; no DM", group.owner.text)
                    continue
                only = ReminderData(data.team, group.owner.slack_id, data.looked_at, [group])
                batch.append(
                    Outgoing(
                        f"reminder DM to {group.owner.text}",
                        owner_dm_message(config.name, group),
                        reminder_terminal(only),
                    )
                )
        outbox.messages.extend(batch)
        if not dry_run:
            outbox.results.extend(_post(poster, outgoing) for outgoing in batch)
    return outbox


def _post(poster: SlackPoster, outgoing: Outgoing) -> PostResult:
    message = outgoing.message
    return poster.post(message["channel"], message["text"], message["blocks"], what=outgoing.what)


def sync_all(ctx: AppContext, poster: SlackPoster | None = None) -> str:
    """Sync every configured stream, re-evaluate the store (recording finding history), then
    queue new tracker requests with a triage card each in [slack] intake_channel."""
    from bot.services.report import stored_totals
    from bot.services.sync import run_stream, streams_for
    from connectors.base import ConnectorError

    lines = []
    for stream in streams_for(ctx.settings, ctx.store):
        try:
            lines.append(
                run_stream(
                    ctx.store,
                    stream,
                    max_gone_share=ctx.settings.sync.max_gone_share,
                    judge=ctx.judge,
                ).line()
            )
        except ConnectorError as exc:
            log.error("sync: %s failed: %s", stream.name, exc)
            lines.append(f"{stream.name}: failed")
    report = stored_totals(ctx.store, ctx.engine)
    lines.append(f"{report.items} open items, {report.ready_pct:.0f}% ready")
    try:
        lines.append(announce_requests(ctx, poster or SlackPoster(lambda: ctx.slack)))
    except Exception:  # the sync itself succeeded; a failed import must not hide that
        log.exception("sync: importing tracker requests failed")
        lines.append("requests: failed")
    if ctx.settings.outcomes.enabled and not ctx.settings.schedule.outcomes.strip():
        try:
            lines.append(outcome_pass(ctx, poster))
        except Exception:
            log.exception("sync: the outcome follow-up failed")
            lines.append("outcomes: failed")
    return "; ".join(lines)


def announce_requests(ctx: AppContext, poster: SlackPoster) -> str:
    """Queue new tracker requests with a triage card each in [slack] intake_channel.

    Nothing is queued without an intake channel and a bot token: a request queued with no card
    would sit unseen, since only newly queued requests get one.
    """
    from bot.services.tracker_requests import make_intake
    from bot.slack.intake_cards import import_and_announce
    from bot.slack.people import People

    slack = ctx.settings.slack
    if not slack.intake_channel or slack.bot_token is None:
        return "requests: no intake channel"
    # Queuing decides nothing, so no authoriser here; decisions on the cards go through the
    # Slack app's intake, which has the product owners.
    intake = make_intake(ctx.store, ctx.settings, ctx.tracker)
    people = People(ctx.store, slack.people, lambda: ctx.slack)
    return import_and_announce(intake, people.slack_id, poster, slack.intake_channel)


def outcome_pass(ctx: AppContext, poster: SlackPoster | None = None) -> str:
    """Record newly done items for follow-up, then ask the owners of the reviews due today."""
    from bot.services.outcomes import Outcomes
    from bot.slack.outcome_views import ask_in_slack

    poster = poster or SlackPoster(lambda: ctx.slack)

    outcomes = Outcomes(ctx.store, ctx.engine, ctx.settings)
    recorded = outcomes.record_done()
    asked = outcomes.ask_due(lambda row: ask_in_slack(poster, row))
    asked.recorded = recorded.recorded
    return asked.line()


def comment_pass(ctx: AppContext) -> str:
    """Run one ticket-comment pass (bot.services.comments) and summarize it."""
    from bot.services.comments import run_comment_pass

    return " ".join(run_comment_pass(ctx).lines())  # the runner keeps the first 2,000 chars


def prune_pass(ctx: AppContext, poster: SlackPoster) -> str:
    """Send the weekly say-no proposal (bot.scheduler.prune_job) and summarize it."""
    from bot.scheduler.prune_job import send_prune

    outcome = send_prune(ctx, poster=poster)
    return f"{outcome.run.proposed} proposed, {outcome.failed} messages failed"


def job_specs(ctx: AppContext) -> list[JobSpec]:
    """The jobs [schedule] configures; an empty expression switches a job off."""
    schedule = ctx.settings.schedule
    try:
        zone = ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"[schedule] timezone {schedule.timezone!r} is not an IANA zone") from None
    shared: list[SlackPoster] = []

    def poster() -> SlackPoster:  # one poster per process, so pacing spans jobs
        if not shared:
            shared.append(SlackPoster(ctx.slack))
        return shared[0]

    wanted: list[tuple[str, str, Callable[[datetime], object]]] = [
        ("sync", schedule.sync, lambda _fire: sync_all(ctx, poster())),
        ("digest", schedule.digest, lambda _fire: send_digests(ctx, poster=poster())),
        (
            "refinement",
            schedule.refinement,
            lambda _fire: send_reminders(ctx, poster=poster()),
        ),
        ("comments", schedule.comments, lambda _fire: comment_pass(ctx)),
        ("outcomes", schedule.outcomes, lambda _fire: outcome_pass(ctx, poster())),
    ]
    if ctx.settings.prune.enabled:  # the say-no proposal is opt-in
        wanted.append(("prune", schedule.prune, lambda _fire: prune_pass(ctx, poster())))
    specs = []
    for name, expr, func in wanted:
        if not expr.strip():
            continue
        try:
            trigger = crontab_trigger(expr, zone)
        except ValueError as exc:
            raise ValueError(f"[schedule] {name} = {expr!r}: {exc}") from None
        specs.append(JobSpec(name, trigger, func))
    return specs


def start_scheduler(ctx: AppContext) -> SchedulerRunner:
    """Start the configured jobs in the background; the handle's .shutdown() stops them.

    While another process leads (on SQLite: holds the lease), this one stands by and retries.
    """
    schedule = ctx.settings.schedule
    runner = SchedulerRunner(
        ctx.store,
        job_specs(ctx),
        leadership_for(ctx.store, retry_seconds=schedule.leader_retry_seconds),
        timezone=ZoneInfo(schedule.timezone),
        grace_seconds=schedule.misfire_grace_seconds,
    )
    return runner.start()
