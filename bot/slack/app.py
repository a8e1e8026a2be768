"""The Bolt app: listeners ack, call a service, render. One Runtime holds what they share."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

from bot.services.health import Answers
from bot.services.intake import Intake
from bot.services.outcomes import Outcomes
from bot.services.owners import ProductOwners
from bot.services.tracker_requests import make_intake
from bot.slack import blocks, commands, outcome_views, outcomes, prune, triage
from bot.slack.ackfirst import AckFirst
from bot.slack.auth import PoDirectory
from bot.slack.modals import (
    ACCEPT_VIEW,
    DECLINE_VIEW,
    DETAILS_VIEW,
    DUPLICATE_VIEW,
    INTAKE,
    NEED_INFO_VIEW,
)
from bot.slack.poster import SlackPoster, make_web_client, respond

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

SEND_TO_BACKLOG = "refinery_send_to_backlog"
VERSION_TTL = 2.0  # seconds a health answer may lag behind a sync
Lane = Literal["urgent", "work", "slow"]


@dataclass
class Runtime:
    """What the listeners share: the context, the services and the after-ack worker pool."""

    ctx: AppContext
    intake: Intake
    answers: Answers
    po: PoDirectory
    outcomes: Outcomes
    owners: ProductOwners  # who may decide: asked by the intake and prune services
    # Work that follows an ack runs on one of three pools, so that nothing slow delays
    # something urgent: opening a form (its trigger id expires 3 s after the click),
    # ordinary follow-ups (answers, tracker calls), and answers waiting for a full report.
    urgent: ThreadPoolExecutor = field(default_factory=lambda: _pool(4, "urgent"))
    work: ThreadPoolExecutor = field(default_factory=lambda: _pool(6, "work"))
    slow: ThreadPoolExecutor = field(default_factory=lambda: _pool(4, "report"))
    # Follow-ups (but not forms, whose trigger ids expire) wait while acks are being sent.
    ack_first: AckFirst = field(default_factory=AckFirst)

    @classmethod
    def build(cls, ctx: AppContext) -> Runtime:
        settings = ctx.settings
        po = PoDirectory(settings.slack, lambda: ctx.slack)
        owners = ProductOwners.from_settings(settings, po.group_members)
        return cls(
            ctx=ctx,
            intake=make_intake(ctx.store, settings, ctx.tracker, owners),
            answers=Answers(ctx.store, ctx.engine, judge=ctx.judge, version_ttl=VERSION_TTL),
            outcomes=Outcomes(ctx.store, ctx.engine, settings),
            po=po,
            owners=owners,
        )

    @property
    def client(self) -> WebClient:
        return self.ctx.slack

    @cached_property
    def poster(self) -> SlackPoster:
        return SlackPoster(lambda: self.ctx.slack)

    # -- Slack calls: each logged and swallowed on failure; a lost message must not lose data --

    # -- Slack calls, through the one poster: each failure logged, never raised (a lost message
    # must not lose data) --

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        self.call("views.open", trigger_id=trigger_id, view=view)

    def post(self, channel: str, blocks: list[blocks.Block], text: str) -> str | None:
        """Post a message; return its ts (None when Slack refused)."""
        response = self.call("chat.postMessage", channel=channel, blocks=blocks, text=text)
        return str(response.get("ts")) if response else None

    def update(self, channel: str, ts: str, blocks: list[blocks.Block], text: str) -> None:
        self.poster.update(channel, ts, text, blocks, what="card update")

    def tell(self, user: str, text: str, channel: str | None = None) -> None:
        """An ephemeral note in `channel` (where the card is), else a direct message."""
        if channel:
            self.call("chat.postEphemeral", channel=channel, user=user, text=text)
        else:
            self.call("chat.postMessage", channel=user, text=text)

    def respond(self, url: str, found: list[blocks.Block], text: str = "") -> None:
        """Answer through a response_url, ephemerally, retrying rate limits and dropped links."""
        respond(url, text or _plain(found), found)

    def call(self, method: str, **kwargs: Any) -> dict[str, Any] | None:
        return self.poster.call(method, **kwargs)

    def first_submission(self, view: dict[str, Any]) -> bool:
        """False when this view was submitted and accepted before (a replayed request)."""
        view_id = str(view.get("id") or "")
        if not view_id:
            return True
        from datetime import timedelta

        from bot.store.inbox import Inbox

        return Inbox(self.ctx.store, "", timedelta(0)).remember("slack", f"slack:view:{view_id}")

    def spawn(
        self, func: Callable[..., Any], *args: Any, lane: Lane = "work", **kwargs: Any
    ) -> None:
        """Run `func` after the ack, on the lane's pool; its failure is logged, never lost."""
        deadline = self.ack_first.deadline()

        def run() -> None:
            if lane != "urgent":
                self.ack_first.wait(deadline)
            try:
                func(*args, **kwargs)
            except Exception:
                log.exception("Slack follow-up %s failed", getattr(func, "__name__", func))

        {"urgent": self.urgent, "work": self.work, "slow": self.slow}[lane].submit(run)

    def close(self) -> None:
        self.answers.close()  # first: a report being computed is abandoned, not awaited
        self.slow.shutdown(wait=True, cancel_futures=True)
        self.urgent.shutdown(wait=True)
        self.work.shutdown(wait=True)


def _pool(size: int, name: str) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(size, thread_name_prefix=f"refinery-slack-{name}")


def _plain(found: list[blocks.Block]) -> str:
    for block in found:
        text = block.get("text")
        if isinstance(text, dict):
            return str(text.get("text", ""))[:300]
    return "Refinery"


def build_bolt_app(ctx: AppContext, rt: Runtime, *, verify_requests: bool = True) -> App:
    """A Bolt app whose every Web API call goes to `slack.api_url` (make_web_client)."""
    settings = ctx.settings
    slack = settings.slack
    if slack.bot_token is None:
        raise ValueError("slack.bot_token is not set")
    secret = slack.signing_secret.get_secret_value() if slack.signing_secret else ""
    app = App(
        name="refinery",
        signing_secret=secret,
        client=make_web_client(settings),  # carries the bot token and slack.api_url
        # Listeners only validate, ack and hand work to Runtime's pools, so running them in
        # the request thread answers Slack at once, without Bolt's executor and its polling.
        process_before_response=True,
        # auth.test runs on the first request instead of at start, so a Slack outage
        # cannot stop the health check and webhooks from serving.
        token_verification_enabled=False,
        request_verification_enabled=verify_requests,
    )
    _register_listeners(app, rt)
    return app


def _register_listeners(app: App, rt: Runtime) -> None:
    command = rt.ctx.settings.slack.command

    @app.command(command)
    def on_command(body: dict[str, Any], ack: Ack) -> None:
        commands.handle_command(rt, body, ack)

    for action_id in blocks.TRIAGE_ACTIONS:

        @app.action(action_id)
        def on_triage(body: dict[str, Any], ack: Ack) -> None:
            triage.on_triage_button(rt, body, ack)

    @app.action(re.compile(rf"^{blocks.DUPLICATE_OF}_\d+$"))
    def on_duplicate_of(body: dict[str, Any], ack: Ack) -> None:
        triage.on_duplicate_of_button(rt, body, ack)

    for action_id in outcome_views.ACTIONS:

        @app.action(action_id)
        def on_outcome(body: dict[str, Any], ack: Ack) -> None:
            outcomes.on_answer_button(rt, body, ack)

    # The say-no proposal (bot.slack.prune): Keep, Decline and its reason form.
    @app.action(prune.KEEP)
    def on_prune_keep(body: dict[str, Any], ack: Ack) -> None:
        prune.on_keep(rt, body, ack)

    @app.action(prune.DECLINE)
    def on_prune_decline(body: dict[str, Any], ack: Ack) -> None:
        prune.on_decline_button(rt, body, ack)

    @app.view_submission(prune.DECLINE_VIEW)
    def on_prune_decline_submit(body: dict[str, Any], ack: Ack) -> None:
        prune.on_decline_submit(rt, body, ack)

    @app.action(blocks.ADD_DETAILS)
    def on_add_details(body: dict[str, Any], ack: Ack) -> None:
        triage.on_add_details(rt, body, ack)

    @app.shortcut(SEND_TO_BACKLOG)
    def on_send_to_backlog(body: dict[str, Any], ack: Ack) -> None:
        triage.on_message_shortcut(rt, body, ack)

    submissions = {
        INTAKE: triage.on_intake_submit,
        ACCEPT_VIEW: triage.on_accept_submit,
        DECLINE_VIEW: triage.on_decline_submit,
        NEED_INFO_VIEW: triage.on_need_info_submit,
        DUPLICATE_VIEW: triage.on_duplicate_submit,
        DETAILS_VIEW: triage.on_details_submit,
        outcome_views.OUTCOME_VIEW: outcomes.on_answer_submit,
    }
    for callback_id, handler in submissions.items():
        _register_submission(app, rt, callback_id, handler)

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], request: BoltRequest) -> None:
        if retry_number(request) > 0:
            return  # the first delivery was answered; a retry must not answer twice
        event = body.get("event") or {}
        rt.spawn(
            rt.call,
            "chat.postMessage",
            what="help for a mention",
            channel=str(event.get("channel") or ""),
            blocks=blocks.help_blocks(command),
            text="Refinery: try " + command + " help",
            thread_ts=event.get("thread_ts") or event.get("ts"),
        )


def _register_submission(app: App, rt: Runtime, callback_id: str, handler: Any) -> None:
    @app.view_submission(callback_id)
    def on_submit(body: dict[str, Any], ack: Ack) -> None:
        handler(rt, body, ack)


def retry_number(request: BoltRequest) -> int:
    """Slack's delivery attempt: 0 (or no header) is the first; Socket Mode always says 0."""
    values = request.headers.get("x-slack-retry-num") or []
    first = values[0] if isinstance(values, list | tuple) and values else values
    try:
        return int(str(first or "0").strip())
    except ValueError:
        return 0
