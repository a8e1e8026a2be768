"""The `/refinery` slash command: parse the text, ack at once, answer from the store after."""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack

from bot.services.teams import teams
from bot.slack import blocks
from bot.slack.modals import Prefill, intake_modal

if TYPE_CHECKING:
    from bot.slack.app import Runtime

log = logging.getLogger(__name__)

SUBCOMMANDS = ("help", "health", "check", "ready", "request", "queue")
REPORTED = ("health", "ready")  # answered from a full report: may wait for one
DEFAULT_READY = 10
MAX_READY = 30


@dataclass
class Parsed:
    """A parsed command: `name` is always a known subcommand (unknown ones become help)."""

    name: str
    args: list[str] = field(default_factory=list)
    rest: str = ""  # everything after the subcommand, as typed (the request title)
    unknown: str = ""
    suggestion: str = ""


def parse(text: str) -> Parsed:
    """Split `text` into a subcommand and its arguments; suggest the closest for a typo."""
    words = text.strip().split()
    if not words:
        return Parsed("help")
    word = words[0].lower()
    rest = text.strip()[len(words[0]) :].strip()
    if word in SUBCOMMANDS:
        return Parsed(word, words[1:], rest)
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1, cutoff=0.6)
    return Parsed("help", unknown=words[0], suggestion=close[0] if close else "")


def handle_command(rt: Runtime, body: dict[str, Any], ack: Ack) -> None:
    """Bolt listener: ack first (Slack waits 3 s at most), then do the work elsewhere."""
    ack()
    parsed = parse(str(body.get("text") or ""))
    user = str(body.get("user_id") or "")
    url = str(body.get("response_url") or "")
    if parsed.name == "request":
        # The trigger id expires 3 s after the click: the quick pool opens the form at once.
        view = intake_modal(Prefill(title=parsed.rest))
        rt.spawn(rt.open_view, str(body.get("trigger_id") or ""), view, lane="urgent")
        return
    rt.spawn(_answer, rt, parsed, user, url, lane="slow" if parsed.name in REPORTED else "work")


def _answer(rt: Runtime, parsed: Parsed, user: str, response_url: str) -> None:
    """Compute the answer and post it to the response URL (valid for 30 minutes)."""
    try:
        found = answer_blocks(rt, parsed, user)
    except Exception:
        log.exception("/refinery %s failed", parsed.name)
        found = [blocks.text("Sorry, that failed on my side. The logs say why.")]
    rt.respond(response_url, found)


def _outcome_lines(rt: Runtime) -> str:
    """Each team's outcome follow-up counts: did shipped work move its metric?"""
    lines = [
        f"{team.name}: {rt.outcomes.summary(team.name).line()}" for team in teams(rt.ctx.settings)
    ]
    return "*Outcomes*\n" + "\n".join(blocks.escape(line) for line in lines)


def answer_blocks(rt: Runtime, parsed: Parsed, user: str) -> list[blocks.Block]:
    command = rt.ctx.settings.slack.command
    if parsed.name == "health":
        scope = parsed.args[0] if parsed.args else ""
        found = blocks.health_blocks(rt.answers.health(scope), scope)
        if not scope and rt.ctx.settings.outcomes.enabled:
            found.append(blocks.text(_outcome_lines(rt)))
        return found
    if parsed.name == "check":
        if not parsed.args:
            return [blocks.text(f"Which item? For example `{command} check PAY-123`.")]
        item, findings, verdicts = rt.answers.check(parsed.args[0])
        return blocks.check_blocks(parsed.args[0], item, findings, verdicts)
    if parsed.name == "ready":
        n = _count(parsed.args)
        health = rt.answers.health()
        return blocks.ready_blocks(list(health.top[:n]), n, health.unready)
    if parsed.name == "queue":
        if not rt.intake.may_see_queue(user):
            return [blocks.text("Only product owners can see the intake queue.")]
        # Only reads: tracker requests are queued, each with its card, after every sync.
        return blocks.queue_blocks(rt.intake.requests("pending"))
    return blocks.help_blocks(command, parsed.unknown, parsed.suggestion)


def _count(args: list[str]) -> int:
    if args and args[0].isdigit():
        return max(1, min(int(args[0]), MAX_READY))
    return DEFAULT_READY
